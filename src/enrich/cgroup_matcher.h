// Decides from a process's /proc/<pid>/cgroup text whether it runs in a
// container, and which. Both cgroup v1 (`N:controllers:/path`) and v2
// (`0::/path`) lines are understood; v1 lines are tried in the order
// name=systemd, memory, pids, cpu, then the v2 line, then the rest, and the
// first line whose path matches a layout decides. A cgroup that matches no
// layout is the host.
//
// Runtime names: docker, containerd, kubernetes, cri-o, podman, nerdctl,
// runc, crun. A path under kubepods is "kubernetes" when the runtime is
// containerd or unnamed (cgroupfs driver), and keeps its explicit runtime
// ("cri-o", "docker") otherwise; pod_uid is set for every kubepods path.
// Kubernetes layouts, both cgroup drivers:
//   systemd   /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice/
//             {cri-containerd,crio,docker}-<id>.scope
//   cgroupfs  /kubepods/<qos>/pod<uid>/<id>    (containerd)
//             /kubepods/<qos>/pod<uid>/crio-<id>  (CRI-O)
// (guaranteed pods have no <qos> level; crio-conmon-<id> is the monitor).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/file_reader.h"

namespace cshield {

struct CgroupMatch {
  std::string runtime;
  std::string id;                      // 64 hex, or the runc/crun container name
  std::optional<std::string> pod_uid;  // Kubernetes pod uid with dashes

  bool operator==(const CgroupMatch& o) const {
    return runtime == o.runtime && id == o.id && pod_uid == o.pod_uid;
  }
};

// The cgroup paths of the text's lines, in the preference order above.
std::vector<std::string> cgroup_paths(std::string_view proc_pid_cgroup_text);

// Layouts recognisable from the path alone (docker, containerd/CRI,
// kubepods, CRI-O, podman, nerdctl). Pure.
std::optional<CgroupMatch> match_cgroup(std::string_view proc_pid_cgroup_text);

// match_cgroup(), then plain runc and crun containers: a path whose last or
// first component (or "runc-<name>.scope" / "crun-<name>.scope") names a
// container that has a state dir (/run/runc/<name>/state.json,
// /run/crun/<name>/status). Thread-safe when the FileReader is; keeps a
// reference to it.
class CgroupMatcher {
 public:
  explicit CgroupMatcher(const FileReader& files) : files_(files) {}
  std::optional<CgroupMatch> match(std::string_view proc_pid_cgroup_text) const;

 private:
  std::optional<CgroupMatch> match_runtime_state(const std::string& name) const;
  const FileReader& files_;
};

}  // namespace cshield
