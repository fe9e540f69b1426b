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
};

}  // namespace cshield
