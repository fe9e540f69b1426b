#include "rules/rule_manager.h"

namespace cshield {

ApplyReport RuleManager::apply(const RuleSet& rules) {
  ApplyReport report;
  if (auto r = control_.delete_rules_with_key_prefix(kRuleKeyPrefix, &report.removed); !r.ok())
    report.errors.push_back(r.error());
  for (const auto& rule : rules.rules()) {
    if (auto r = control_.add_rule(rule); r.ok()) {
      ++report.added;
    } else {
      report.errors.push_back(r.error());
    }
  }
  return report;
}

Result RuleManager::remove_all() { return control_.delete_rules_with_key_prefix(kRuleKeyPrefix); }

AuditStatusGuard::~AuditStatusGuard() {
  if (pending_) (void)restore();
}

Result AuditStatusGuard::save() {
  auto r = control_.status(saved_);
  pending_ = r.ok();
  return r;
}

void AuditStatusGuard::adopt(const AuditStatus& earlier) {
  saved_.enabled = earlier.enabled;
  saved_.backlog_limit = earlier.backlog_limit;
  saved_.backlog_wait_time = earlier.backlog_wait_time;
  pending_ = true;
}

Result AuditStatusGuard::restore() {
  if (!pending_) return Result::success();
  pending_ = false;
  AuditStatus now;
  if (auto r = control_.status(now); !r.ok()) return r;
  std::string errors;
  auto note = [&](const Result& r) {
    if (r.ok()) return;
    if (!errors.empty()) errors += "; ";
    errors += r.error();
  };
  if (now.backlog_limit != saved_.backlog_limit) note(control_.set_backlog_limit(saved_.backlog_limit));
  if (now.backlog_wait_time != saved_.backlog_wait_time)
    note(control_.set_backlog_wait_time(saved_.backlog_wait_time));
  if (now.enabled != saved_.enabled) note(control_.set_enabled(saved_.enabled));
  return errors.empty() ? Result::success() : Result::failure(errors);
}

}  // namespace cshield
