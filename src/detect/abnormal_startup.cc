#include "detect/abnormal_startup.h"

#include <fnmatch.h>

#include <algorithm>

#include "core/affixes.h"
#include "detect/event_facts.h"

namespace cshield {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Collapses repeated and trailing slashes; /var/run is /run.
std::string normal_path(const std::string& path) {
  std::string out;
  for (char c : path)
    if (!(c == '/' && !out.empty() && out.back() == '/')) out.push_back(c);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (out == "/var/run" || starts_with(out, "/var/run/")) out.erase(0, 4);
  return out;
}

// `dir` is `path` or a directory above it.
bool is_at_or_above(const std::string& dir, const std::string& path) {
  return dir == path || dir == "/" || starts_with(path, dir + "/");
}

bool runtime_managed(const std::string& path) {
  static const std::vector<std::string> kManaged = {"/etc/hosts", "/etc/resolv.conf", "/etc/hostname",
                                                    "/dev/shm",   "/dev/pts",         "/dev/mqueue"};
  return contains(kManaged, normal_path(path));
}

bool critical_source(const std::string& source, const std::vector<CriticalPath>& critical) {
  const std::string s = normal_path(source);
  for (const auto& c : critical) {
    const std::string p = normal_path(c.path);
    if (is_at_or_above(s, p) || (c.subtree && starts_with(s, p + "/"))) return true;
  }
  return false;
}

std::string mount_json(const HostMount& m) {
  return "{\"source\":" + json_quote(m.source) + ",\"destination\":" + json_quote(m.destination) + "}";
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> comma_items(const std::string& list) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t end = list.find(',', pos);
    if (end == std::string::npos) end = list.size();
    if (end > pos) out.push_back(list.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// What the exceptions for `image` accept.
struct Accepted {
  bool privileged = false, seccomp = false;
  std::vector<std::string> capabilities;
  std::vector<std::string> mount_sources;  // normalised host paths of "mounts:[/a,/b]"
};

Accepted accepted_for(const StartupPolicy& policy, const std::string& image) {
  Accepted a;
  for (const auto& e : policy.exceptions) {
    if (::fnmatch(e.image_glob.c_str(), image.c_str(), 0) != 0) continue;
    for (const auto& f : e.findings) {
      if (f == "privileged:true") a.privileged = true;
      if (f == "seccomp=unconfined") a.seccomp = true;
      if (starts_with(f, "mounts:[") && f.back() == ']')
        for (const auto& s : comma_items(f.substr(8, f.size() - 9))) a.mount_sources.push_back(normal_path(s));
      if (starts_with(f, "capabilities:[") && f.back() == ']')
        for (const auto& c : comma_items(f.substr(14, f.size() - 15))) a.capabilities.push_back(c);
    }
  }
  return a;
}

std::string explain(const std::string& finding) {
  if (finding == "privileged:true")
    return "It runs privileged: every capability, no seccomp filter, no masked kernel paths and every host "
           "device, so anything in it can take over the host (mount the host disk, load kernel modules).";
  if (starts_with(finding, "capabilities:"))
    return "It holds capabilities beyond the runtime's default set (" + finding.substr(13) +
           "); each one widens what a compromised process can do to the host kernel and its resources.";
  if (finding == "seccomp=unconfined")
    return "It runs without a seccomp profile, so every system call reaches the kernel, including those "
           "container escapes rely on (open_by_handle_at, keyctl, bpf, unshare).";
  if (starts_with(finding, "mounts:"))
    return "Critical host paths are mounted into it (" + finding.substr(7) +
           "); through them a process in the container can read or change the host's configuration, "
           "devices or runtime sockets.";
  if (finding == "no-new-privileges:false")
    return "It runs without no-new-privileges, so set-uid programs in it can raise a process's privileges.";
  return finding;
}

std::string describe_start(const std::vector<std::string>& findings) {
  std::string d = "The container started with more permissions than a container needs. ";
  for (const auto& f : findings) d += explain(f) + " ";
  d += "Unless the workload truly needs this, start it with the runtime's defaults.";
  return d;
}

}  // namespace

std::vector<std::string> default_container_capabilities() {
  return {"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",  "CAP_FOWNER",           "CAP_MKNOD",
          "CAP_NET_RAW", "CAP_SETGID",       "CAP_SETUID",  "CAP_SETFCAP",          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
}

std::vector<CriticalPath> default_critical_paths() {
  return {{"/boot", true},
          {"/dev", true},
          {"/etc", true},
          {"/proc", true},
          {"/root", true},
          {"/sys", true},
          {"/", false},
          {"/run", false},
          {"/var/lib/docker", false},
          {"/var/lib/kubelet", false},
          {"/run/docker.sock", false},
          {"/run/containerd/containerd.sock", false},
          {"/run/crio/crio.sock", false},
          {"/run/podman/podman.sock", false},
          {"/run/dockershim.sock", false}};
}

StartupPolicy default_startup_policy() {
  return {default_container_capabilities(), default_critical_paths(), {}};
}

std::vector<std::string> startup_findings(const ContainerPosture& posture, const StartupPolicy& policy,
                                          const std::string& image) {
  const Accepted accepted = accepted_for(policy, image);
  std::vector<std::string> findings;
  const bool privileged = posture.privileged();
  if (privileged && !accepted.privileged) findings.push_back("privileged:true");
  if (!privileged) {
    std::vector<std::string> extra;
    for (const auto& c : posture.capabilities)
      if (!contains(policy.default_capabilities, c) && !contains(accepted.capabilities, c)) extra.push_back(c);
    if (!extra.empty()) findings.push_back("capabilities:[" + joined(extra) + "]");
    if (!posture.seccomp && !accepted.seccomp) findings.push_back("seccomp=unconfined");
  }
  std::vector<std::string> mounts;
  for (const auto& m : posture.host_mounts) {
    if (runtime_managed(m.destination) || runtime_managed(m.source)) continue;
    if (!critical_source(m.source, policy.critical_paths)) continue;
    const std::string text = mount_json(m);
    if (!contains(accepted.mount_sources, normal_path(m.source)) && !contains(mounts, text)) mounts.push_back(text);
  }
  if (!mounts.empty()) findings.push_back("mounts:[" + joined(mounts) + "]");
  return findings;
}

AbnormalStartupDetector::AbnormalStartupDetector(AbnormalStartupOptions options) : options_(std::move(options)) {}

std::vector<AuditRule> AbnormalStartupDetector::rules() const {
  std::vector<AuditRule> out;
  for (const auto& bin : options_.runtime_binaries) {
    AuditRule r;
    r.arch = "b64";
    r.syscalls = {"execve"};
    r.fields = {"exe=" + bin};
    r.key = kAbnormalStartupKey;
    out.push_back(std::move(r));
  }
  AuditRule gain;  // both arches: a 32-bit set-uid program counts too
  gain.syscalls = {"execve"};
  gain.fields = {"euid=0", "uid!=0", "success=1"};
  gain.key = kPrivilegeEscalationKey;
  out.push_back(std::move(gain));
  return out;
}

bool AbnormalStartupDetector::wants(const AuditEvent& event) const {
  const std::string_view key = event.key();
  return key == kAbnormalStartupKey || key == kPrivilegeEscalationKey;
}

void AbnormalStartupDetector::evaluate(const EventContext& ctx, std::vector<Alarm>& out) const {
  if (ctx.start) evaluate_start(*ctx.start, out);
  if (ctx.event.key() == kPrivilegeEscalationKey) evaluate_escalation(ctx, out);
}

void AbnormalStartupDetector::evaluate_start(const ContainerStart& start, std::vector<Alarm>& out) const {
  const auto findings = startup_findings(start.posture, options_.policy, start.container.image);
  if (findings.empty()) return;
  std::vector<std::string> quoted;
  for (const auto& f : findings) quoted.push_back(json_quote(f));
  std::string summary;
  for (const auto& f : findings)
    summary += (summary.empty() ? "" : ", ") + f.substr(0, f.find_first_of(":="));
  Alarm a = make_alarm("abnormal_startup", "startup", summary);
  a.container = start.container;
  a.evidence_json = "{\"findings\":[" + joined(quoted) + "],\"bundle\":" + json_quote(start.container.bundle) +
                    ",\"no_new_privileges\":" + (start.posture.no_new_privileges ? "true" : "false") + "}";
  a.description = describe_start(findings);
  out.push_back(std::move(a));
}

void AbnormalStartupDetector::evaluate_escalation(const EventContext& ctx, std::vector<Alarm>& out) const {
  const ProcessInfo& p = ctx.process;
  if (!ctx.container || is_runtime_process(p)) return;
  if (p.uid < 0 || p.euid < 0 || p.uid == p.euid) return;
  if (ctx.posture && ctx.posture->no_new_privileges) return;
  Alarm a = make_alarm("abnormal_startup", "privilege_escalation", "privilege escalation");
  const AuditRecord* sys = ctx.event.syscall();
  if (sys) a.syscall = sys->text("syscall").value_or("execve");
  a.path = p.exe;
  a.evidence_json = "{\"findings\":[\"no-new-privileges:false\"],\"uid\":" + std::to_string(p.uid) +
                    ",\"euid\":" + std::to_string(p.euid) + ",\"exe\":" + json_quote(p.exe) + "}";
  a.description = "A process in the container gained privileges by executing a set-uid program (" + p.exe +
                  ": uid " + std::to_string(p.uid) + " became euid " + std::to_string(p.euid) + "). " +
                  explain("no-new-privileges:false") +
                  " Find out who ran it; start the container with no-new-privileges if it needs no set-uid "
                  "programs.";
  out.push_back(std::move(a));
}

// The key and call of the SYSCALL record; the rest is the process's.
bool AbnormalStartupDetector::reads_record(int) const { return false; }

}  // namespace cshield
