// abnormal_startup (ALARMS.md): a container starts with too many
// permissions (subtype `startup`: one alarm per start listing every finding
// in evidence.findings; a start without findings raises nothing), and a
// process of a container without no-new-privileges gains privileges by
// executing a set-uid program (subtype `privilege_escalation`).
//
// Starts are the execution of an OCI runtime binary (cshield's execve rule
// on each, key cshield.abnormal_startup); the pipeline's enrichment reads the
// bundle and hands the start over in EventContext::start. Set-uid gains are
// execve calls whose euid is root and uid is not (key
// cshield.privilege_escalation).
#pragma once

#include <string>
#include <vector>

#include "detect/detector.h"

namespace cshield {

inline constexpr const char* kAbnormalStartupKey = "cshield.abnormal_startup";
inline constexpr const char* kPrivilegeEscalationKey = "cshield.privilege_escalation";

// A host path whose bind mount into a container is a finding: the path
// itself or any directory above it (mounting /var exposes /var/run), and
// with `subtree` also anything below it (/etc/shadow).
struct CriticalPath {
  std::string path;
  bool subtree = false;
};

// Findings an operator accepts for images matching a glob (fnmatch):
// "privileged:true", "seccomp=unconfined", "capabilities:[CAP_NET_ADMIN,...]"
// (those capabilities), "mounts:[/host/path,...]" (bind mounts of those host
// paths, wherever they are mounted in the container).
struct StartupException {
  std::string image_glob;
  std::vector<std::string> findings;
};

struct StartupPolicy {
  std::vector<std::string> default_capabilities;  // capabilities no finding: Docker's default 14
  std::vector<CriticalPath> critical_paths;
  std::vector<StartupException> exceptions;
};

// Docker's default capability set.
std::vector<std::string> default_container_capabilities();
// /boot, /dev, /etc, /proc, /root, /sys (subtrees); /, /run (= /var/run),
// /var/lib/docker, /var/lib/kubelet and the runtime sockets.
std::vector<CriticalPath> default_critical_paths();
StartupPolicy default_startup_policy();

// The findings of one start, spelled as ALARMS.md, in this order:
// privileged:true, capabilities:[...], seccomp=unconfined, mounts:[...].
// A privileged container's capabilities and seccomp are what privileged
// means: they are not listed again. Mounts whose destination or source is
// runtime-managed (/etc/hosts, /etc/resolv.conf, /etc/hostname, /dev/shm,
// /dev/pts, /dev/mqueue) never count. `image` selects the exceptions.
std::vector<std::string> startup_findings(const ContainerPosture& posture, const StartupPolicy& policy,
                                          const std::string& image);

struct AbnormalStartupOptions {
  StartupPolicy policy = default_startup_policy();
  // Host paths of the OCI runtimes (runc, crun, ...) whose execution is a start.
  std::vector<std::string> runtime_binaries;
};

class AbnormalStartupDetector : public Detector {
 public:
  explicit AbnormalStartupDetector(AbnormalStartupOptions options);

  std::string_view type() const override { return "abnormal_startup"; }
  std::vector<AuditRule> rules() const override;
  bool wants(const AuditEvent& event) const override;
  void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const override;
  bool reads_record(int record_type) const override;

 private:
  void evaluate_start(const ContainerStart& start, std::vector<Alarm>& out) const;
  void evaluate_escalation(const EventContext& ctx, std::vector<Alarm>& out) const;

  AbnormalStartupOptions options_;
};

}  // namespace cshield
