// Loads a RuleSet into the kernel and removes it again, through an
// AuditControl that must outlive the manager. Only rules whose key starts
// with "cshield." are ever deleted. Not thread-safe (as AuditControl).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "rules/audit_control.h"
#include "rules/rule_set.h"

namespace cshield {

struct ApplyReport {
  std::size_t removed = 0;  // leftover cshield rules deleted first
  std::size_t added = 0;
  std::vector<std::string> errors;  // one per rule (or step) that failed
  bool ok() const { return errors.empty(); }
};

class RuleManager {
 public:
  explicit RuleManager(AuditControl& control) : control_(control) {}

  // Deletes every cshield rule left in the kernel (a crashed run's), then
  // adds `rules` in order. A rule that fails is reported and skipped; the
  // others are still added.
  ApplyReport apply(const RuleSet& rules);
  // Deletes every cshield rule.
  Result remove_all();

 private:
  AuditControl& control_;
};

// Saves the kernel's {enabled, backlog_limit, backlog_wait_time} and puts
// them back, so that cshield leaves the audit settings as it found them.
// restore() sets only what changed; the destructor restores if save()
// succeeded and restore() was not called. The control must outlive the guard.
class AuditStatusGuard {
 public:
  explicit AuditStatusGuard(AuditControl& control) : control_(control) {}
  ~AuditStatusGuard();
  AuditStatusGuard(const AuditStatusGuard&) = delete;
  AuditStatusGuard& operator=(const AuditStatusGuard&) = delete;

  Result save();
  // Takes `earlier` as the status to restore instead of what save() read:
  // what an earlier run that did not stop cleanly had found.
  void adopt(const AuditStatus& earlier);
  Result restore();
  const AuditStatus& saved() const { return saved_; }

 private:
  AuditControl& control_;
  AuditStatus saved_;
  bool pending_ = false;
};

}  // namespace cshield
