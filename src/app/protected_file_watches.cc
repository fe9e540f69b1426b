#include "app/protected_file_watches.h"

#include <algorithm>

#include "app/log.h"
#include "app/root_path.h"
#include "detect/sensitive_file_access.h"
#include "policy/glob.h"
#include "rules/rule_root.h"

namespace cshield {

ProtectedFileWatches::ProtectedFileWatches(AuditControl& control, std::mutex& control_mu, Counters& counters,
                                           Associate associate, std::string node_root)
    : control_(control),
      control_mu_(control_mu),
      associate_(std::move(associate)),
      node_root_(std::move(node_root)),
      policy_(std::make_shared<const PolicySet>()),
      added_(counters.counter("policy.watches_added", "protected-file watches placed in containers")),
      failed_(counters.counter("policy.watch_errors", "protected-file watches the kernel refused")) {}

std::vector<AuditRule> ProtectedFileWatches::wanted(const PolicySet& policy, const ContainerInfo& c,
                                                    const std::string& node_root) {
  std::vector<AuditRule> out;
  if (c.rootfs.empty()) return out;
  const PolicyGroup* group = policy.group_for(c);
  if (!group) return out;
  for (const auto& pattern : group->protected_files) {
    const std::string inside = protected_watch_path(pattern);
    const bool dir = inside != pattern;
    auto host = host_path_in_root(path_under_root(node_root, c.rootfs), inside, dir);
    if (!host) continue;
    AuditRule r = sensitive_file_watch(c.id, *host);
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
  }
  return out;
}

void ProtectedFileWatches::sync_locked(const ContainerInfo& c, bool force) {
  const std::vector<AuditRule> want = wanted(*policy_, c, node_root_);
  std::vector<AuditRule>& have = placed_[c.id];
  std::lock_guard<std::mutex> lock(control_mu_);
  for (auto it = have.begin(); it != have.end();) {
    if (force || std::find(want.begin(), want.end(), *it) == want.end()) {
      if (!force) (void)control_.delete_rule(*it);
      it = have.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& r : want) {
    if (std::find(have.begin(), have.end(), r) != have.end()) continue;
    if (auto res = control_.add_rule(r); res.ok()) {
      added_.add();
      have.push_back(r);
    } else {
      failed_.add();
      log_warn("sensitive_file_access: container " + c.id.substr(0, 12) + ": " + res.error());
    }
  }
  if (have.empty()) placed_.erase(c.id);
}

void ProtectedFileWatches::set_policy(std::shared_ptr<const PolicySet> policy) {
  std::lock_guard<std::mutex> lock(mu_);
  policy_ = policy ? std::move(policy) : std::make_shared<const PolicySet>();
  for (const auto& [id, c] : running_) {
    sync_locked(c, false);
    const PolicyGroup* g = policy_->group_for(c);
    const std::string name = g ? g->name : "";
    auto it = groups_.find(id);
    if (it == groups_.end() || it->second != name) {
      groups_[id] = name;
      if (associate_) associate_(id, name);
    }
  }
}

void ProtectedFileWatches::started(const ContainerInfo& c) {
  std::lock_guard<std::mutex> lock(mu_);
  running_[c.id] = c;
  sync_locked(c, false);
  const PolicyGroup* g = policy_->group_for(c);
  groups_[c.id] = g ? g->name : "";
  if (associate_) associate_(c.id, groups_[c.id]);
}

void ProtectedFileWatches::stopped(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = running_.find(id);
  if (it == running_.end()) return;
  ContainerInfo gone = it->second;
  running_.erase(it);
  {
    std::lock_guard<std::mutex> control_lock(control_mu_);
    for (const auto& r : placed_[id]) (void)control_.delete_rule(r);
  }
  placed_.erase(id);
  groups_.erase(id);
  if (associate_) associate_(id, "");
}

void ProtectedFileWatches::replace_all() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, c] : running_) sync_locked(c, true);
}

std::size_t ProtectedFileWatches::placed() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (const auto& [id, rules] : placed_) n += rules.size();
  return n;
}

}  // namespace cshield
