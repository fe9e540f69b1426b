// DockerClient over the Docker Engine API on its Unix socket
// (GET /containers/<id>/json). One short-lived connection per call, bounded
// by `timeout` for connect, send and receive. Thread-safe; never throws.
#pragma once

#include <chrono>
#include <string>

#include "enrich/docker_client.h"

namespace cshield {

class DockerSocketClient : public DockerClient {
 public:
  explicit DockerSocketClient(std::string socket_path = "/var/run/docker.sock",
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
  std::optional<DockerContainer> inspect(const std::string& id) const override;

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

// Name, image and labels from the JSON of GET /containers/<id>/json (also the
// shape of /var/lib/docker/containers/<id>/config.v2.json). nullopt when it
// is not a JSON object. Never throws.
std::optional<DockerContainer> parse_docker_container_json(const std::string& json);

}  // namespace cshield
