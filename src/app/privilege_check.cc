#include "app/privilege_check.h"

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

std::vector<std::string> missing_privileges(const Config& config, std::string_view status) {
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
  if (in_child_pid_namespace(status))
    missing.push_back(
        "cshieldd runs in a child PID namespace; it needs the host's (hostPID: true in Kubernetes, "
        "--pid host in Docker): the kernel refuses audit control from any other, and the pids in "
        "audit records are the host's");
  return missing;
}

}  // namespace cshield
