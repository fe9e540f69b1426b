// A container's security posture as its OCI bundle (and, where present, the
// runtime's own view) describes it at start, and a container start as the
// audit stream or the inventory shows it. Plain value types: enrich/ fills
// them, detect/ judges them, store/ keeps them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/container_info.h"

namespace cshield {

struct HostMount {
  std::string source;       // absolute host path
  std::string destination;  // path inside the container
};

struct ContainerPosture {
  // Union of the init process's capability sets (bounding, effective,
  // permitted, inheritable, ambient), spelled CAP_*, in order of first
  // appearance in the bundle.
  std::vector<std::string> capabilities;
  bool all_capabilities = false;      // a superset of every capability the host allows
  bool seccomp = false;               // a profile that refuses or kills some call
  bool masked_paths = false;          // maskedPaths or readonlyPaths not empty
  bool devices_unrestricted = false;  // a device cgroup rule allowing rwm on every device
  bool no_new_privileges = false;
  bool user_namespace = false;
  // The runtime's own word (Docker HostConfig.Privileged); nullopt when the
  // runtime does not say.
  std::optional<bool> runtime_privileged;
  std::vector<HostMount> host_mounts;  // bind mounts of absolute host paths

  // Privileged as ALARMS.md infers it: the runtime says so, or the bundle
  // grants all capabilities, no seccomp, no masked/readonly paths and
  // unrestricted devices (what privileged means, whatever the runtime says).
  bool privileged() const {
    return runtime_privileged.value_or(false) ||
           (all_capabilities && !seccomp && !masked_paths && devices_unrestricted);
  }
};

// One start of one container: what started and with which posture.
struct ContainerStart {
  ContainerInfo container;
  ContainerPosture posture;
  std::int64_t started_ms = 0;  // the runtime's create (audit event time) or its recorded creation time
};

}  // namespace cshield
