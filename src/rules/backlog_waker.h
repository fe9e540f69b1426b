// Wakes tasks the kernel left asleep waiting for audit backlog room.
//
// When the kernel's audit backlog is over backlog_limit, a task logging a
// record (audit_log_start) wakes the kernel's audit thread, then queues
// itself as an exclusive waiter and sleeps up to backlog_wait_time (60 s by
// default) without testing the backlog again. The audit thread, each time
// it has emptied its queues, wakes one waiter, then sleeps until a new
// record comes. A task that queues itself just after that wake-up sleeps
// out the whole wait though the backlog is empty, and so does every waiter
// behind it; seen as a container's audited process hanging in state D for a
// minute after a burst (docs/reliability.md). Any new record makes the audit
// thread run its loop again and wake a waiter, who logs its own record, which
// wakes the next.
//
// So after the kernel reports a full backlog or time spent waiting
// (backlog_wait_time_actual grew since the last status), the daemon writes a
// record of its own on each of the next kWakePolls status polls that find
// room in the backlog (never while it is full: the kernel makes whoever
// writes to a full backlog wait too). Not thread-safe: the status poller
// owns it.
#pragma once

#include <cstdint>
#include <optional>

#include "rules/audit_control.h"

namespace cshield {

class BacklogWaker {
 public:
  static constexpr int kWakePolls = 3;

  // Takes one kernel status; true when a wake record should be written now.
  bool should_wake(const AuditStatus& status);

 private:
  std::optional<std::uint32_t> previous_wait_actual_;  // none before the first status
  int wakes_left_ = 0;
};

}  // namespace cshield
