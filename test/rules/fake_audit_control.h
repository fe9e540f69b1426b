// An in-memory AuditControl for tests: keeps a status and a rule list,
// records every setter call, and fails add_rule for keys listed in
// `failing_keys` and status() when `status_error` is set.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "rules/audit_control.h"

namespace cshield::testing {

class FakeAuditControl : public AuditControl {
 public:
  AuditStatus kernel;
  std::vector<AuditRule> rules;
  std::vector<std::string> calls;
  std::vector<std::string> failing_keys;
  std::string status_error;

  Result status(AuditStatus& out) override {
    if (!status_error.empty()) return Result::failure(status_error);
    out = kernel;
    return Result::success();
  }
  Result set_enabled(std::uint32_t v) override { return set("enabled", kernel.enabled, v); }
  Result set_backlog_limit(std::uint32_t v) override { return set("backlog_limit", kernel.backlog_limit, v); }
  Result set_backlog_wait_time(std::uint32_t v) override {
    return set("backlog_wait_time", kernel.backlog_wait_time, v);
  }
  Result write_backlog_wake_record() override {
    calls.push_back("backlog_wake");
    return Result::success();
  }
  Result list_rules(std::vector<AuditRule>& out) override {
    out = rules;
    return Result::success();
  }
  Result add_rule(const AuditRule& rule) override {
    if (std::find(failing_keys.begin(), failing_keys.end(), rule.key) != failing_keys.end())
      return Result::failure("add rule '" + rule.to_auditctl() + "': Invalid argument");
    rules.push_back(rule);
    return Result::success();
  }
  Result delete_rule(const AuditRule& rule) override {
    auto it = std::find(rules.begin(), rules.end(), rule);
    if (it == rules.end()) return Result::failure("no such rule");
    rules.erase(it);
    return Result::success();
  }
  Result delete_rules_with_key_prefix(const std::string& prefix, std::size_t* deleted) override {
    const auto before = rules.size();
    rules.erase(std::remove_if(rules.begin(), rules.end(),
                               [&](const AuditRule& r) { return r.key.compare(0, prefix.size(), prefix) == 0; }),
                rules.end());
    if (deleted) *deleted = before - rules.size();
    return Result::success();
  }

 private:
  Result set(const std::string& name, std::uint32_t& field, std::uint32_t v) {
    calls.push_back(name + "=" + std::to_string(v));
    field = v;
    return Result::success();
  }
};

}  // namespace cshield::testing
