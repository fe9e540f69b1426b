// cshieldctl: the command-line client of cshieldd's REST API, and the
// in-process replay of audit logs. See `cshieldctl --help` and cshieldctl(1).
#include <iostream>
#include <string>
#include <vector>

#include "api/ctl_commands.h"
#include "app/replay.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "replay")
    return cshield::run_replay(std::vector<std::string>(args.begin() + 1, args.end()), std::cout, std::cerr);
  return cshield::run_client_command(args, std::cout, std::cerr);
}
