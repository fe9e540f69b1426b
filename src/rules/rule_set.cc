#include "rules/rule_set.h"

#include <libaudit.h>

#include <algorithm>

#include "rules/rule_root.h"

namespace cshield {
namespace {

constexpr const char* kSelfKey = "cshield.self";

bool has_prefix(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

AuditRule self_exclusion_rule(int pid) {
  AuditRule rule;
  rule.action = "never";
  rule.fields = {"pid=" + std::to_string(pid)};
  rule.key = kSelfKey;
  return rule;
}

// The name `machine`'s syscall table knows `name` by: libaudit's i386 table
// spells a few with a "sys_" prefix (sys_kexec_load). Empty when it has none.
std::string syscall_name_on(const std::string& name, int machine) {
  if (audit_name_to_syscall(name.c_str(), machine) >= 0) return name;
  const std::string prefixed = "sys_" + name;
  if (audit_name_to_syscall(prefixed.c_str(), machine) >= 0) return prefixed;
  return "";
}

void add_unique(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

// Union of two perms strings in rwxa order; empty means all.
std::string merge_perms(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return "";
  std::string out;
  for (char c : std::string("rwxa"))
    if (a.find(c) != std::string::npos || b.find(c) != std::string::npos) out += c;
  return out;
}

bool mergeable(const AuditRule& a, const AuditRule& b) {
  if (a.kind != b.kind || a.key != b.key) return false;
  if (a.kind == AuditRule::Kind::kWatch) return a.path == b.path;
  return a.action == b.action && a.list == b.list && a.arch == b.arch && a.fields == b.fields &&
         !a.syscalls.empty() && !b.syscalls.empty();
}

// Adds `rule` to `rules`, merging it into an earlier equal-but-for-syscalls rule.
void add_merged(std::vector<AuditRule>& rules, const AuditRule& rule) {
  for (auto& existing : rules) {
    if (!mergeable(existing, rule)) continue;
    if (rule.kind == AuditRule::Kind::kWatch) {
      existing.perms = merge_perms(existing.perms, rule.perms);
    } else {
      for (const auto& name : rule.syscalls) add_unique(existing.syscalls, name);
    }
    return;
  }
  rules.push_back(rule);
}

class Builder {
 public:
  std::vector<AuditRule> never, always;
  std::vector<std::string> warnings;

  void add(const AuditRule& rule) {
    if (!has_prefix(rule.key, kRuleKeyPrefix)) {
      warnings.push_back("'" + rule.to_auditctl() + "': the key must start with \"" + kRuleKeyPrefix + "\"");
      return;
    }
    if (rule.kind == AuditRule::Kind::kWatch) {
      add_merged(always, rule);
      return;
    }
    std::vector<std::string> arches;
    if (rule.arch.empty() || rule.arch == "both") {
      arches = {"b64", "b32"};
    } else {
      arches = {rule.arch};
    }
    std::vector<bool> known(rule.syscalls.size(), false);
    for (const auto& arch : arches) {
      const int machine = audit_determine_machine(arch.c_str());
      if (machine < 0) {
        warnings.push_back("'" + rule.to_auditctl() + "': unknown arch '" + arch + "'");
        return;
      }
      AuditRule one = rule;
      one.arch = arch;
      one.syscalls.clear();
      for (std::size_t i = 0; i < rule.syscalls.size(); ++i) {
        const std::string name = syscall_name_on(rule.syscalls[i], machine);
        if (name.empty()) continue;
        known[i] = true;
        add_unique(one.syscalls, name);
      }
      if (!rule.syscalls.empty() && one.syscalls.empty()) continue;
      add_merged(rule.action == "never" ? never : always, one);
    }
    for (std::size_t i = 0; i < rule.syscalls.size(); ++i)
      if (!known[i])
        warnings.push_back("'" + rule.to_auditctl() + "': no syscall '" + rule.syscalls[i] + "' on " +
                           (arches.size() == 1 ? arches[0] : "b64 or b32"));
  }
};

}  // namespace

RuleSet RuleSet::build(const std::vector<AuditRule>& requested, int self_pid, const std::string& node_root) {
  Builder builder;
  for (const auto& rule : requested) builder.add(rule);
  RuleSet set;
  set.node_root_ = normal_node_root(node_root);
  if (self_pid > 0) set.rules_.push_back(self_exclusion_rule(self_pid));
  for (const auto* part : {&builder.never, &builder.always})
    for (const auto& rule : *part) set.rules_.push_back(rule_under_root(rule, set.node_root_));
  set.warnings_ = std::move(builder.warnings);
  return set;
}

std::string RuleSet::to_text() const {
  std::string text =
      "## cshield audit rules (cshieldd --print-rules). Every key starts with \"" + std::string(kRuleKeyPrefix) +
      "\";\n## cshieldd loads these itself and removes them on stop.\n";
  if (node_root_ != "/")
    text += "## The node's root is " + node_root_ + " here ([node] root): its paths are under it, the keys name\n"
            "## the node's paths. Load these with auditctl in cshieldd's mount namespace only.\n";
  for (const auto& rule : rules_) text += rule.to_auditctl() + "\n";
  for (const auto& warning : warnings_) text += "## left out: " + warning + "\n";
  return text;
}

}  // namespace cshield
