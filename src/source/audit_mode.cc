#include "source/audit_mode.h"

#include <signal.h>

#include <cerrno>

namespace cshield {

bool audit_daemon_alive(std::uint32_t pid) {
  if (pid == 0) return false;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::string detect_audit_mode(AuditControl& control, std::string& error) {
  AuditStatus status;
  if (auto r = control.status(status); !r.ok()) {
    error = r.error();
    return "";
  }
  return audit_daemon_alive(status.pid) ? "multicast" : "netlink";
}

}  // namespace cshield
