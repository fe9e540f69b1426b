// The kernel audit record type cshieldd writes each alarm as (export/) and
// skips when it reads the stream back (source/): 2199, the last number of
// the user-space anomaly range (AUDIT_FIRST_ANOM_MSG 2100 .. 2199), which
// libaudit leaves unnamed, so auditd logs it as "type=UNKNOWN[2199]" and
// `ausearch -m 2199` finds it.
#pragma once

namespace cshield {

inline constexpr int kAlarmAuditRecordType = 2199;

}  // namespace cshield
