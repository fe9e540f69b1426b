// One way out for alarms (the audit stream, a syslog receiver, a file).
// A channel is used by one thread only (its QueuedExporter's worker), so it
// needs no locking; it reconnects or reopens by itself on the next send
// after a failure.
#pragma once

#include <string>

#include "core/alarm.h"

namespace cshield {

enum class SendResult {
  delivered,
  failed,    // `error` set; worth retrying later (receiver down, disk full)
  rejected,  // `error` set; this alarm can never be delivered (too large): dropped
};

class ExportChannel {
 public:
  virtual ~ExportChannel() = default;
  virtual SendResult send(const Alarm& alarm, std::string& error) = 0;
  // Closes what is open so the next send() opens it again (a log file after
  // logrotate moved it). Called on the channel's own thread.
  virtual void reopen() {}
};

}  // namespace cshield
