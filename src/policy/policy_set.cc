#include "policy/policy_set.h"

#include <algorithm>

#include "policy/glob.h"

namespace cshield {
namespace {

int specificity(const PolicySelectors& s) {
  return !s.images.empty() + !s.names.empty() + !s.namespaces.empty() + !s.labels.empty();
}

bool any_glob(const std::vector<std::string>& globs, const std::string& text) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) { return glob_matches(g, text, false); });
}

}  // namespace

bool selectors_match(const PolicySelectors& s, const ContainerInfo& c) {
  if (s.empty()) return false;
  if (!s.images.empty() && (c.image.empty() || !any_glob(s.images, c.image))) return false;
  if (!s.names.empty() && (c.name.empty() || !any_glob(s.names, c.name))) return false;
  if (!s.namespaces.empty() &&
      (!c.namespace_ || std::find(s.namespaces.begin(), s.namespaces.end(), *c.namespace_) == s.namespaces.end()))
    return false;
  for (const auto& [key, value] : s.labels) {
    auto it = c.labels.find(key);
    if (it == c.labels.end() || it->second != value) return false;
  }
  return true;
}

PolicySet::PolicySet(std::vector<PolicyGroup> groups) : groups_(std::move(groups)) {
  std::sort(groups_.begin(), groups_.end(), [](const PolicyGroup& a, const PolicyGroup& b) { return a.name < b.name; });
}

const PolicyGroup* PolicySet::find(const std::string& name) const {
  for (const auto& g : groups_)
    if (g.name == name) return &g;
  return nullptr;
}

const PolicyGroup* PolicySet::group_for(const ContainerInfo& container) const {
  const PolicyGroup* best = nullptr;
  for (const auto& g : groups_) {
    if (!selectors_match(g.selectors, container)) continue;
    if (!best || specificity(g.selectors) > specificity(best->selectors)) best = &g;
  }
  return best;
}

bool process_whitelisted(const PolicyGroup& group, const std::string& path) {
  return std::any_of(group.process_whitelist.begin(), group.process_whitelist.end(),
                     [&](const std::string& g) { return glob_matches(g, path, true); });
}

const std::string* protected_pattern(const PolicyGroup& group, const std::string& path) {
  for (const auto& g : group.protected_files)
    if (glob_matches(g, path, true)) return &g;
  return nullptr;
}

}  // namespace cshield
