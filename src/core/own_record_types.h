// The kernel audit record types cshieldd writes itself and skips when it
// reads the stream back (source/own_record_filter): both in the user-space
// anomaly range (AUDIT_FIRST_ANOM_MSG 2100 .. 2199), which libaudit leaves
// unnamed, so auditd logs them as "type=UNKNOWN[N]" and `ausearch -m N`
// finds them.
#pragma once

#include <array>

namespace cshield {

// Each alarm, as the audit exporter writes it (export/audit_channel).
inline constexpr int kAlarmAuditRecordType = 2199;

// The record the daemon writes to make the kernel wake tasks left waiting
// for audit backlog room (rules/backlog_waker.h); it carries no alarm.
inline constexpr int kBacklogWakeRecordType = 2198;

inline constexpr std::array<int, 2> kOwnRecordTypes{kAlarmAuditRecordType, kBacklogWakeRecordType};

inline constexpr bool is_own_record_type(int type) {
  for (const int own : kOwnRecordTypes)
    if (type == own) return true;
  return false;
}

}  // namespace cshield
