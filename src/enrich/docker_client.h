// What the Docker Engine API says of one container. An interface, so that
// the resolver can be tested without a daemon. Implementations must be
// thread-safe and never throw; every failure (no daemon, unknown id,
// timeout, bad JSON) is nullopt.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace cshield {

struct DockerContainer {
  std::string name;   // without the leading '/'
  std::string image;  // Config.Image, as the user named it ("nginx:1.27")
  std::map<std::string, std::string> labels;  // Config.Labels
};

class DockerClient {
 public:
  virtual ~DockerClient() = default;
  virtual std::optional<DockerContainer> inspect(const std::string& id) const = 0;
};

}  // namespace cshield
