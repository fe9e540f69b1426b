// The cshieldctl commands that talk to the daemon's REST API: alarms
// (list, show, handle, summary), containers and status. `replay` is
// dispatched elsewhere by the program; the usage text mentions it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cshield {

// `args` are the command line without the program name. Writes results to
// `out` and problems to `err`. Returns the exit status: 0 success, 1 the API
// refused the request or could not be reached, 2 usage error.
int run_client_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The --help text.
std::string client_usage();

}  // namespace cshield
