// Names the node on every alarm (Alarm::host) and passes it on to the next
// sink, so that the store and every exporter see the same name. The next
// sink is not owned and must outlive this object. publish() is as
// non-blocking as the next sink's.
#pragma once

#include <string>
#include <utility>

#include "alarm/alarm_sink.h"

namespace cshield {

class HostStampSink : public AlarmSink {
 public:
  HostStampSink(std::string host, AlarmSink& next) : host_(std::move(host)), next_(next) {}
  void publish(const Alarm& alarm) override {
    if (!alarm.host.empty() || host_.empty()) {
      next_.publish(alarm);
      return;
    }
    Alarm stamped = alarm;
    stamped.host = host_;
    next_.publish(stamped);
  }
  // Stamped in place, no copy.
  void publish_owned(Alarm&& alarm) override {
    if (alarm.host.empty()) alarm.host = host_;
    next_.publish_owned(std::move(alarm));
  }
  bool reads_details(const Alarm& alarm) const override { return next_.reads_details(alarm); }
  const std::string& host() const { return host_; }

 private:
  std::string host_;
  AlarmSink& next_;
};

}  // namespace cshield
