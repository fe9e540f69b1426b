// Where raw audit records come from: the kernel over netlink (unicast as the
// audit daemon, or multicast beside auditd), auditd's dispatcher on stdin, or
// a log file. A source only moves bytes; parsing is audit/'s job.
// Thread-safety: read() is called from one thread (the reader); stop() may be
// called from any thread and makes a blocked read() return soon.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cshield {

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Appends one or more complete text records, each "type=NAME msg=audit(...): ...\n",
  // to `out`. Returns false when the stream has ended (end of file, stop()).
  // May return true having appended nothing (a timeout, so the caller can
  // age out events and check for stop).
  virtual bool read(std::string& out) = 0;
  virtual void stop() = 0;
  // "netlink", "multicast", "plugin", "file": shown in status.
  virtual std::string_view mode() const = 0;
};

}  // namespace cshield
