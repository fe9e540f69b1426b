// A container as resolved from a process's cgroup and the runtime's state.
// Plain value type. `id` is the runtime's full id (64 hex for docker,
// containerd, CRI-O, podman; the name for plain runc).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cshield {

struct ContainerInfo {
  std::string id;
  std::string runtime;                 // docker, containerd, cri-o, podman, runc, crun, nerdctl, kubernetes
  std::string name;                    // empty when unknown
  std::string image;                   // empty when unknown
  std::optional<std::string> pod;
  std::optional<std::string> namespace_;  // Kubernetes namespace
  std::string bundle;                  // OCI bundle directory, when found
  std::string rootfs;                  // container root filesystem on the host, when found
  // Labels: the OCI bundle's annotations and, for Docker, the container's labels.
  std::map<std::string, std::string> labels;
};

}  // namespace cshield
