// The name of the node every alarm carries (Alarm::host, API.md "host").
#pragma once

#include <string>

namespace cshield {

// `configured` ([node] name) when not empty, else `environment`
// (CSHIELD_NODE_NAME, which the DaemonSet fills from the downward API's
// spec.nodeName, since a pod's own host name is the pod's), else `hostname`.
// Pure.
std::string choose_node_name(const std::string& configured, const std::string& environment,
                             const std::string& hostname);

// choose_node_name() with the process's CSHIELD_NODE_NAME and gethostname().
std::string node_name(const std::string& configured);

}  // namespace cshield
