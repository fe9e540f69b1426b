#include "app/privilege_check.h"

#include <unistd.h>

#include <algorithm>

#include "enrich/oci_posture.h"

namespace cshield {

namespace {

// The value of "Name:" in /proc/<pid>/status text; empty when absent.
std::string_view status_field(std::string_view status, std::string_view name) {
  std::size_t pos = 0;
  while (pos < status.size()) {
    std::size_t end = status.find('\n', pos);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(pos, end - pos);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':')
      return line.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

// NSpid lists the pid in each namespace from the process's own outwards:
// more than one entry means a child PID namespace.
bool in_child_pid_namespace(std::string_view status) {
  std::string_view v = status_field(status, "NSpid");
  int fields = 0;
  bool in_field = false;
  for (char c : v) {
    const bool space = c == ' ' || c == '\t';
    if (!space && !in_field) ++fields;
    in_field = !space;
  }
  return fields > 1;
}

}  // namespace

std::string multicast_needs_host_network() {
  return "cshieldd reads audit records beside an audit daemon (multicast) from a network namespace "
         "that is not the host's, where the kernel sends none; it needs the host's (hostNetwork: true "
         "in Kubernetes, --network host in Docker)";
}

std::optional<bool> in_host_network_namespace() {
  auto link = [](const char* path) -> std::optional<std::string> {
    char buf[128];
    const ssize_t n = ::readlink(path, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  };
  const auto self = link("/proc/self/ns/net"), init = link("/proc/1/ns/net");
  if (!self || !init) return std::nullopt;
  return *self == *init;
}

namespace {
std::optional<bool> namespace_is(const char* link, const char* initial) {
  char buf[64];
  const ssize_t n = ::readlink(link, buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n)) == initial;
}
}  // namespace

std::optional<bool> in_host_pid_namespace() { return namespace_is("/proc/self/ns/pid", "pid:[4026531836]"); }  // 0xEFFFFFFC
std::optional<bool> in_host_user_namespace() { return namespace_is("/proc/self/ns/user", "user:[4026531837]"); }  // 0xEFFFFFFD

std::vector<std::string> missing_privileges(const Config& config, std::string_view status,
                                            std::optional<bool> host_network, std::optional<bool> host_pid,
                                            std::optional<bool> host_user) {
  struct Need {
    const char* cap;
    bool needed;
    const char* why;
  };
  const bool multicast = config.audit.mode == "multicast" || config.audit.mode == "auto";
  const Need needs[] = {
      {"CAP_AUDIT_CONTROL", true, "to read the kernel's audit status and load the audit rules"},
      {"CAP_AUDIT_READ", multicast, "to read audit records beside an audit daemon (audit.mode multicast or auto)"},
      {"CAP_AUDIT_WRITE", config.exporting.audit, "to export alarms as audit records (export.audit = yes)"},
      {"CAP_SYS_PTRACE", true, "to read /proc/<pid>/exe, cwd and root of processes in containers"},
      {"CAP_DAC_READ_SEARCH", true, "to read the container runtimes' state and the containers' files"},
      {"CAP_CHOWN", !config.api.socket_group.empty(), "to give the API socket its group (api.socket_group)"},
  };
  const std::vector<std::string> effective = capabilities_of_status(status, "CapEff");
  std::vector<std::string> missing;
  for (const Need& n : needs) {
    if (n.needed && std::find(effective.begin(), effective.end(), n.cap) == effective.end())
      missing.push_back(std::string(n.cap) + " is missing, needed " + n.why);
  }
  if (in_child_pid_namespace(status) || host_pid == false)
    missing.push_back(
        "cshieldd runs in a child PID namespace; it needs the host's (hostPID: true in Kubernetes, "
        "--pid host in Docker): the kernel refuses audit control from any other, and the pids in "
        "audit records are the host's");
  if (host_user == false)
    missing.push_back(
        "cshieldd runs in a user namespace (a rootless or user-namespaced container); the kernel refuses "
        "audit to any but the host's, whatever the capabilities granted inside");
  if (config.audit.mode == "multicast" && host_network == false) missing.push_back(multicast_needs_host_network());
  return missing;
}

}  // namespace cshield
