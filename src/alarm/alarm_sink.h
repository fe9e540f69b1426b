// Where raised alarms go. The pipeline thread calls publish(); sinks must not
// block it (the store sink only enqueues into a bounded queue that counts
// its drops). Exporters of later work are further sinks.
#pragma once

#include "core/alarm.h"

namespace cshield {

class AlarmSink {
 public:
  virtual ~AlarmSink() = default;
  virtual void publish(const Alarm& alarm) = 0;
  // The same for an alarm its caller is done with: a sink that keeps it or
  // passes it on may move from it instead of copying (the daemon's chain:
  // node stamp, fan-out, the store writer's queue). By default publish().
  virtual void publish_owned(Alarm&& alarm) { publish(alarm); }
  // Whether publish(), were `alarm` published next, would read its details:
  // evidence, description and the suffix of its name (DetailDemand); the
  // rest of the alarm is complete either way. False lets the pipeline
  // publish it without building them. Asked from the publishing thread
  // about an alarm with its fold key, times, count and status; the answer
  // holds until the next publish() or flush.
  virtual bool reads_details(const Alarm& /*alarm*/) const { return true; }
};

}  // namespace cshield
