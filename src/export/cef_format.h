// ArcSight Common Event Format (CEF:0) for an alarm, the payload of the
// syslog exporter's "cef" format:
//   CEF:0|cshield|cshield|<version>|<type>/<subtype>|<name>|<0-10>|<extension>
// Severity: critical 10, high 8, medium 5, low 3, anything else 5.
// Extension keys: rt (event time, epoch ms), cat (category), act (alert),
// msg (description), cnt (count), dvchost, spid, sproc (comm), suid,
// filePath (the alarm's path), cs1 containerId, cs2 containerName,
// cs3 containerImage, cs4 syscall, cs5 exe, cs6 cmdline (each csN with its
// csNLabel), cn1 auditSerial (with cn1Label). Empty values are left out.
// Escaping as the CEF spec says: header fields \ and |, extension values
// \ and = (and newlines as \n, \r). Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/alarm.h"

namespace cshield {

int cef_severity(std::string_view severity);
std::string cef_escape_header(std::string_view s);
std::string cef_escape_value(std::string_view s);
std::string format_cef(const Alarm& alarm, std::string_view product_version, std::string_view hostname);

}  // namespace cshield
