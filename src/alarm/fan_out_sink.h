// Publishes every alarm to each of its sinks, in the order they were added.
// The sinks are not owned and must outlive this object; add() happens while
// wiring, before publish() is first called. publish() is as non-blocking as
// the sinks' publish() (each of them only enqueues).
#pragma once

#include <vector>

#include "alarm/alarm_sink.h"

namespace cshield {

class FanOutSink : public AlarmSink {
 public:
  void add(AlarmSink& sink) { sinks_.push_back(&sink); }
  void publish(const Alarm& alarm) override {
    for (AlarmSink* s : sinks_) s->publish(alarm);
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
