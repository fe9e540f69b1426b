// cshieldctl: the command-line client of cshieldd's REST API, and the
// in-process replay of audit logs. See `cshieldctl --help` and cshieldctl(1).
#include <iostream>
#include <string>
#include <vector>

#include "api/ctl_commands.h"
#include "app/replay.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  // `replay` is the first word that is not an option or an option's value;
  // global options before it that replay understands (--json) go with it.
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--socket" || a == "--url" || a == "--token-file") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    if (a != "replay") break;
    std::vector<std::string> rest;
    for (std::size_t j = 0; j < i; ++j)
      if (args[j] == "--json") rest.push_back(args[j]);
    rest.insert(rest.end(), args.begin() + static_cast<long>(i) + 1, args.end());
    return cshield::run_replay(rest, std::cout, std::cerr);
  }
  return cshield::run_client_command(args, std::cout, std::cerr);
}
