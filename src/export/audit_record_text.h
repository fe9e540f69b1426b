// The text of the audit user record each alarm becomes (the part inside the
// kernel's msg='...'; libaudit appends exe, hostname, addr, terminal, res).
// Fields, always in this order, names chosen not to collide with the fields
// the kernel and libaudit add:
//   op=cshield-alarm alarm_type= alarm_subtype= alarm_severity= alarm_category=
//   container_id= container_name= container_image= alarm_pid= alarm_exe=
//   alarm_syscall= alarm_path= alarm_count= alarm_serial= alarm_host=
// (alarm_host: the node that raised the alarm, Alarm::host.)
// Strings are written as audit writes untrusted values: "value" in double
// quotes, or, when the value holds a space, a quote, a control or non-ASCII
// byte, its bytes as upper-case hex without quotes (ausearch -i decodes it).
// A missing value is ? (unquoted). Numbers are plain. Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/alarm.h"

namespace cshield {

// `name="value"`, `name=HEX` or `name=?` (empty value), as described above.
std::string audit_field(std::string_view name, std::string_view value);

std::string audit_record_text(const Alarm& alarm);

}  // namespace cshield
