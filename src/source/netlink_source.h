// Reads the kernel's audit records as the registered audit daemon (unicast
// netlink, like auditd). Only one process can be the audit daemon: start()
// fails, naming the registered pid, when another live one is registered.
// Needs CAP_AUDIT_CONTROL.
//
// start() also sets the kernel's backlog_limit (0: leave as is) and
// backlog_wait_time (empty: leave as is; 0 is a value: lose, never wait); restoring them on exit is AuditStatusGuard's job. It does not
// enable auditing. stop() unregisters (pid back to 0) and closes the socket.
// Thread-safety: as RecordSource; start() before the reader thread runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/counters.h"
#include "rules/audit_control.h"
#include "source/netlink_receiver.h"
#include "source/record_source.h"

namespace cshield {

struct NetlinkSourceOptions {
  std::uint32_t backlog_limit = 8192;
  // In the kernel's unit, jiffies (as auditctl --backlog_wait_time); auditd's
  // default rules use 60000. 0: a full backlog loses records at once instead
  // of slowing the caller. Empty: leave the kernel's value.
  std::optional<std::uint32_t> backlog_wait_time = 60000;
  // The socket's receive buffer (the kernel counts twice this, with its
  // overhead: about 1.3 KB per record). Every record queued there is one a
  // new record of another container waits behind: during an alarm storm the
  // socket stays full (the reader's queue bound holds the flood back), and
  // an 8 MiB buffer held some 13 000 records, 60 ms of the storm. Loss is
  // not what this buffer guards against: the reader drains the socket as
  // records arrive into a queue of up to 256 chunks, and when the socket is
  // full the kernel's sender waits up to 100 ms for room (then retries the
  // record out of order, counted as source.overruns), holding the rest in
  // its backlog. 1 MiB is some 1 600 records, three of the reader's reads.
  // Multicast sources keep a large buffer: a multicast copy that finds it
  // full is lost.
  int receive_buffer_bytes = 1024 * 1024;
  Counters* counters = nullptr;  // optional, must outlive the source
};

class NetlinkSource : public RecordSource {
 public:
  explicit NetlinkSource(NetlinkSourceOptions options = {});
  ~NetlinkSource() override;

  Result start();
  bool read(std::string& out) override;
  void stop() override;
  bool must_drain() override { return receiver_.overflowed(); }
  bool skips_own_records() const override { return true; }
  std::string_view mode() const override { return "netlink"; }
  // Another process (auditd started later) asked to be the audit daemon:
  // its pid, else 0. The kernel refused it (we are alive); the daemon's
  // answer is to step aside and read beside it. Any thread.
  std::uint32_t replace_requested_by() const { return receiver_.replace_requested_by(); }

 private:
  NetlinkSourceOptions options_;
  NetlinkReceiver receiver_;
  bool registered_ = false;  // guarded by the receiver's shutdown ordering
};

// The message for a registered audit daemon `pid` that is not us.
std::string audit_daemon_registered_message(std::uint32_t pid);

}  // namespace cshield
