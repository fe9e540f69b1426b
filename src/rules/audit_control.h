// The kernel audit subsystem's control plane as cshield uses it: status,
// the few tunables the daemon sets, and the rule list. A role interface so
// that rule management and mode detection are testable without root;
// LibauditControl is the netlink implementation. Implementations need not be
// thread-safe: one owner thread calls them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/audit_rule.h"

namespace cshield {

// The outcome of one control request: success, or an error text naming what
// failed and why ("add rule '-w /x -p wa -k cshield.t': No such file or directory").
class Result {
 public:
  static Result success() { return Result(); }
  static Result failure(std::string message) { return Result(std::move(message)); }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  Result() = default;
  explicit Result(std::string message) : error_(std::move(message)) {
    if (error_.empty()) error_ = "unknown error";
  }
  std::string error_;
};

// The kernel's audit status (struct audit_status), as `auditctl -s` shows it.
struct AuditStatus {
  std::uint32_t enabled = 0;  // 0 off, 1 on, 2 locked (immutable until reboot)
  std::uint32_t failure = 0;
  std::uint32_t pid = 0;      // the registered audit daemon, 0 when none
  std::uint32_t rate_limit = 0;
  std::uint32_t backlog_limit = 0;
  std::uint32_t lost = 0;
  std::uint32_t backlog = 0;
  std::uint32_t backlog_wait_time = 0;
  // Ticks tasks have spent waiting for backlog room, summed (kernels since
  // 5.10; 0 on older ones).
  std::uint32_t backlog_wait_time_actual = 0;
};

class AuditControl {
 public:
  virtual ~AuditControl() = default;

  virtual Result status(AuditStatus& out) = 0;
  virtual Result set_enabled(std::uint32_t enabled) = 0;
  virtual Result set_backlog_limit(std::uint32_t limit) = 0;
  virtual Result set_backlog_wait_time(std::uint32_t wait_time) = 0;
  // Writes one record of kBacklogWakeRecordType (core/own_record_types.h):
  // the kernel's audit thread then runs and wakes a task waiting for backlog
  // room (see rules/backlog_waker.h).
  virtual Result write_backlog_wake_record() = 0;

  // Replaces `out` with the kernel's current rules, in kernel order.
  virtual Result list_rules(std::vector<AuditRule>& out) = 0;
  // `never` rules are prepended (they must precede the `always` rules).
  virtual Result add_rule(const AuditRule& rule) = 0;
  // Deletes the kernel rule equal to `rule` as add_rule would build it.
  virtual Result delete_rule(const AuditRule& rule) = 0;
  // Deletes every rule whose key starts with `prefix`; `deleted` (optional)
  // receives how many were deleted, also on partial failure.
  virtual Result delete_rules_with_key_prefix(const std::string& prefix,
                                              std::size_t* deleted = nullptr) = 0;
};

}  // namespace cshield
