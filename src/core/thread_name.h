// Names the calling thread for operators: `top -H`, `ps -L`, perf and
// /proc/<pid>/task/*/comm show it. The kernel keeps 15 bytes; longer names
// are cut. Best effort: a failure changes nothing else.
#pragma once

#include <string>

namespace cshield {

void name_this_thread(const std::string& name);

}  // namespace cshield
