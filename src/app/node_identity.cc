#include "app/node_identity.h"

#include <unistd.h>

#include <cstdlib>

namespace cshield {

std::string choose_node_name(const std::string& configured, const std::string& environment,
                             const std::string& hostname) {
  if (!configured.empty()) return configured;
  if (!environment.empty()) return environment;
  return hostname;
}

std::string node_name(const std::string& configured) {
  const char* env = std::getenv("CSHIELD_NODE_NAME");
  char buf[256] = {};
  std::string host;
  if (::gethostname(buf, sizeof buf - 1) == 0) host = buf;
  return choose_node_name(configured, env ? env : "", host);
}

}  // namespace cshield
