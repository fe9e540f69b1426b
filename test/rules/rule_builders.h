// Short ways to write the AuditRules the rules tests need.
#pragma once

#include <string>
#include <vector>

#include "core/audit_rule.h"

namespace cshield::testing {

inline AuditRule syscall_rule(std::vector<std::string> syscalls, std::string key, std::string arch = "",
                              std::vector<std::string> fields = {}) {
  AuditRule rule;
  rule.arch = std::move(arch);
  rule.syscalls = std::move(syscalls);
  rule.fields = std::move(fields);
  rule.key = std::move(key);
  return rule;
}

inline AuditRule watch_rule(std::string path, std::string perms, std::string key) {
  AuditRule rule;
  rule.kind = AuditRule::Kind::kWatch;
  rule.path = std::move(path);
  rule.perms = std::move(perms);
  rule.key = std::move(key);
  return rule;
}

}  // namespace cshield::testing
