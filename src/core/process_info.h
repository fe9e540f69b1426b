// What is known of the process behind an event: from the SYSCALL record
// first, completed from /proc or the process table. Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cshield {

struct ProcessInfo {
  int pid = 0;
  int ppid = 0;
  std::string exe;
  std::string comm;
  std::string cmdline;  // argv joined with spaces; empty when unknown
  std::int64_t uid = -1, euid = -1, auid = -1;
};

}  // namespace cshield
