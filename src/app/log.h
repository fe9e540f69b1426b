// The daemon's log: one line per message on stderr (journald adds time and
// unit when run by systemd), with a level word. Thread-safe (one write per line).
#pragma once

#include <string>

namespace cshield {

void log_info(const std::string& message);
void log_warn(const std::string& message);
void log_error(const std::string& message);

}  // namespace cshield
