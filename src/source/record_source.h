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
  // True when the source must be read empty at once, even past the reader's
  // own queue bound, or records will be lost before it sees them. As the
  // audit daemon: once the socket has overflowed, the kernel sends nothing
  // more until it has been read empty, and it silently drops (unless booted
  // with audit=1) every record of its retry queue after five failed sends,
  // a few hundred milliseconds. Called from the reader thread.
  virtual bool must_drain() { return false; }
  // True when read() never hands out cshieldd's own records (core/
  // own_record_types.h): a netlink source knows each record's type before
  // formatting it and skips them there (counted in source.own_records). The
  // reader filters the text of every other source (source/own_record_filter).
  virtual bool skips_own_records() const { return false; }
  // "netlink", "multicast", "plugin", "file": shown in status.
  virtual std::string_view mode() const = 0;
};

}  // namespace cshield
