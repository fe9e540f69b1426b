// The audit rules cshield wants loaded, built from what the detectors ask
// for. Pure: it reads only libaudit's syscall tables. A value type.
//
// Building:
// - with a self pid, the self-exclusion rule `-a never,exit -F pid=<pid>
//   -k cshield.self` comes first, so cshield's own syscalls never feed back;
// - `never` rules precede `always` rules (the kernel stops at the first match);
// - a syscall rule without an arch (or with arch "both") becomes a b64 and a
//   b32 rule; syscall names that do not exist on an arch are dropped from that
//   arch's rule (kexec_file_load has no i386 number), and a rule left with no
//   syscall is dropped; names libaudit's table spells with a "sys_" prefix
//   on an arch are renamed for it (kexec_load is sys_kexec_load on b32);
// - rules equal but for their syscalls merge into one -S list; watches on the
//   same path with the same key merge their perms;
// - a rule whose key lacks the "cshield." prefix, or that names an unknown
//   arch or a syscall no arch has, is left out with a warning;
// - with a node root other than "/" ([node] root), every rule's paths are
//   placed under it (rule_under_root): the rules are what cshieldd loads in
//   its own mount namespace, their keys still name the node's paths.
#pragma once

#include <string>
#include <vector>

#include "core/audit_rule.h"

namespace cshield {

class RuleSet {
 public:
  // `self_pid` <= 0 omits the self-exclusion rule (rules.d output, where no
  // pid is known in advance). `node_root`: see above.
  static RuleSet build(const std::vector<AuditRule>& requested, int self_pid, const std::string& node_root = "/");

  const std::vector<AuditRule>& rules() const { return rules_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The rules in auditctl syntax, one per line after a header comment; the
  // warnings follow as comments. Suitable for /etc/audit/rules.d/. With a
  // node root, the header says where the paths are (and the text is for
  // auditctl run in cshieldd's mount namespace, not the node's).
  std::string to_text() const;

 private:
  std::vector<AuditRule> rules_;
  std::vector<std::string> warnings_;
  std::string node_root_ = "/";
};

}  // namespace cshield
