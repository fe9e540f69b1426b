// The policy groups in force: an immutable snapshot, shared between the
// pipeline (detectors), the API and the watch placement; a change builds a
// new set and swaps it in whole. Thread-safe (immutable).
//
// Association: a group covers a container when every kind of selector it
// gives matches: an image glob matches the image, a name glob the name, the
// Kubernetes namespace is listed, and every label pair is on the container.
// When several groups cover one container, the one giving the most kinds of
// selector wins (the most specific), then the first by name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/container_info.h"
#include "policy/policy_group.h"

namespace cshield {

bool selectors_match(const PolicySelectors& selectors, const ContainerInfo& container);

class PolicySet {
 public:
  PolicySet() = default;
  explicit PolicySet(std::vector<PolicyGroup> groups);  // sorted by name here

  const std::vector<PolicyGroup>& groups() const { return groups_; }
  const PolicyGroup* find(const std::string& name) const;
  // The group covering `container`, nullptr when none.
  const PolicyGroup* group_for(const ContainerInfo& container) const;
  bool empty() const { return groups_.empty(); }

 private:
  std::vector<PolicyGroup> groups_;
};

// Whether `path` (as the container sees it) is on the group's whitelist.
bool process_whitelisted(const PolicyGroup& group, const std::string& path);
// The protected_files pattern `path` matches, or nullptr.
const std::string* protected_pattern(const PolicyGroup& group, const std::string& path);

}  // namespace cshield
