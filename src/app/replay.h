// `cshieldctl replay FILE`: runs an audit log through the daemon's own
// assembler, pipeline and detectors in-process and prints the alarms, for
// forensics and benchmarks. Nothing is stored (unless --store names a
// database) and no kernel state is touched.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cshield {

// `args` after "replay". Returns the exit status (0 ok, 1 unreadable input
// or configuration, 2 usage).
int run_replay(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

std::string replay_usage();

}  // namespace cshield
