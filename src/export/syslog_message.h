// RFC 5424 syslog messages and the octet-counted framing of RFC 6587 (TCP).
// Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cshield {

// Facility 13 ("log audit"); alarm severities map to syslog severities:
// critical 2 (crit), high 3 (err), medium 4 (warning), anything else 5 (notice).
int syslog_priority(std::string_view alarm_severity);

// "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG": no structured data;
// an empty header field is written as the nil value "-"; header fields are
// cut to their RFC lengths and spaces in them replaced by '_'.
std::string rfc5424_message(int priority, std::int64_t time_ms, std::string_view hostname,
                            std::string_view app_name, std::string_view procid, std::string_view msgid,
                            std::string_view msg);

// "<length> <message>".
std::string octet_counted(std::string_view message);

}  // namespace cshield
