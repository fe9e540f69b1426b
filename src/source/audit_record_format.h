// Turns one kernel audit netlink message into the text line auditd writes,
// so that every RecordSource hands out the same format.
#pragma once

#include <string>
#include <string_view>

namespace cshield {

// True for audit records (user messages 1100.. and kernel events 1300..),
// false for netlink control traffic (acks, AUDIT_GET replies, ...) and for
// AUDIT_REPLACE, the kernel's binary liveness probe of the audit daemon.
bool is_audit_record_type(int type);

// Appends "type=<NAME> msg=<payload>\n"; NAME is libaudit's name for the type
// or UNKNOWN[<type>]. Trailing NULs and newlines of the payload are dropped;
// embedded ones become spaces so that one record stays one line.
void append_audit_record(int type, std::string_view payload, std::string& out);

}  // namespace cshield
