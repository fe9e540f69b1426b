// The security posture of a container from its OCI bundle config.json,
// runtime-agnostic (runc, crun; Docker, containerd/CRI, CRI-O, podman), and
// the runtime's own view where it has one (Docker's hostconfig.json). Pure:
// text in, ContainerPosture out; the caller reads the files. Never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/container_posture.h"

namespace cshield {

// CAP_* names of the kernel's capabilities, by number (0 = CAP_CHOWN ...).
const std::vector<std::string>& capability_names();

// The capabilities of a "CapBnd:" (or other Cap*) line of /proc/<pid>/status
// text, by name; every known capability when the line is absent.
std::vector<std::string> capabilities_of_status(std::string_view status_text, std::string_view line = "CapBnd");

// nullopt when `config_json` is not a JSON object. `host_capabilities` is
// what "all capabilities" means: the host's bounding set.
std::optional<ContainerPosture> posture_from_oci_config(const std::string& config_json,
                                                        const std::vector<std::string>& host_capabilities);

// Docker's /var/lib/docker/containers/<id>/hostconfig.json: sets
// runtime_privileged from "Privileged". False when the text is not a JSON
// object with that field.
bool apply_docker_host_config(const std::string& host_config_json, ContainerPosture& posture);

}  // namespace cshield
