#include "core/audit_rule.h"

namespace cshield {

std::string AuditRule::to_auditctl() const {
  std::string s;
  if (kind == Kind::kWatch) {
    s = "-w " + path;
    if (!perms.empty()) s += " -p " + perms;
  } else {
    s = "-a " + action + "," + list;
    if (!arch.empty()) s += " -F arch=" + arch;
    if (!syscalls.empty()) {
      s += " -S ";
      for (std::size_t i = 0; i < syscalls.size(); ++i) {
        if (i) s += ",";
        s += syscalls[i];
      }
    }
    for (const auto& f : fields) s += " -F " + f;
  }
  if (!key.empty()) s += " -k " + key;
  return s;
}

bool AuditRule::operator==(const AuditRule& o) const {
  return kind == o.kind && action == o.action && list == o.list && arch == o.arch &&
         syscalls == o.syscalls && fields == o.fields && path == o.path && perms == o.perms &&
         key == o.key;
}

}  // namespace cshield
