// Publishes every alarm to each of its sinks, in the order they were added.
// The sinks are not owned and must outlive this object; add() happens while
// wiring, before publish() is first called. publish() is as non-blocking as
// the sinks' publish() (each of them only enqueues).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "alarm/alarm_sink.h"

namespace cshield {

class FanOutSink : public AlarmSink {
 public:
  void add(AlarmSink& sink) { sinks_.push_back(&sink); }
  void publish(const Alarm& alarm) override {
    for (AlarmSink* s : sinks_) s->publish(alarm);
  }
  // Every sink but the last gets a view; the last may take the alarm.
  void publish_owned(Alarm&& alarm) override {
    if (sinks_.empty()) return;
    for (std::size_t i = 0; i + 1 < sinks_.size(); ++i) sinks_[i]->publish(alarm);
    sinks_.back()->publish_owned(std::move(alarm));
  }
  bool reads_details(const Alarm& alarm) const override {
    for (const AlarmSink* s : sinks_)
      if (s->reads_details(alarm)) return true;
    return false;
  }

 private:
  std::vector<AlarmSink*> sinks_;
};

}  // namespace cshield
