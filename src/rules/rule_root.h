// The node's root filesystem as cshieldd sees it ([node] root): where the
// paths of its audit rules are placed. The kernel resolves a watch (-w),
// a path=/dir= filter and an exe= filter by name when the rule is added, in
// the adding process's mount namespace, and then follows the inode. In a
// Kubernetes pod the node's "/" is mounted elsewhere (at /host), so a rule
// for the node's /etc/shadow must name /host/etc/shadow. Keys are never
// changed: they keep naming the node path, which is what alarms report.
// Pure: no I/O.
#pragma once

#include <string>

#include "core/audit_rule.h"

namespace cshield {

// `root` without trailing slashes; "/" (or empty) stays "/".
std::string normal_node_root(const std::string& root);

// `path` (absolute, as the node names it) under `root`: "/host" + "/etc/shadow".
// With root "/" the path itself.
std::string path_under_root(const std::string& root, const std::string& path);

// The node path of a path under `root` ("/host/etc/x" -> "/etc/x"); empty
// when `path` is not under it. With root "/" the path itself.
std::string node_path_of(const std::string& root, const std::string& path);

// `rule` as cshieldd loads it: a watch's path and the values of its path=,
// dir=, exe= and exe!= fields placed under `root`; everything else, the key
// included, unchanged. With root "/" the rule itself.
AuditRule rule_under_root(const AuditRule& rule, const std::string& root);

}  // namespace cshield
