// Reading and validating policy groups. A document (a policy file or a REST
// body) holds one group object or an array of them. Validation is whole:
// every problem is reported (unknown or repeated keys, wrong types, empty or
// malformed names, bad globs, conflicting selectors), each with its file and
// line, and a document with any problem yields no group at all. Pure.
#pragma once

#include <string>
#include <vector>

#include "policy/policy_group.h"

namespace cshield {

struct PolicyParse {
  std::vector<PolicyGroup> groups;  // empty when errors is not
  std::vector<PolicyError> errors;
  bool ok() const { return errors.empty(); }
};

// `file` names the document in errors (empty for a REST body) and becomes
// each group's source ("api" when empty).
PolicyParse parse_policy_document(const std::string& text, const std::string& file);

// Problems between groups that are each valid: one name defined twice, two
// groups whose selectors are identical (which would own the container?).
std::vector<PolicyError> policy_set_problems(const std::vector<PolicyGroup>& groups);

// Group names: 1..64 of [A-Za-z0-9._-], not starting with '.' or '-'.
bool valid_group_name(const std::string& name);

// The group as API.md spells it (name, selectors, process_whitelist,
// protected_files); with `state`, also source and learning_until (RFC 3339
// or null), which a document may carry but which are ignored on input.
std::string policy_group_json(const PolicyGroup& group, bool state);

}  // namespace cshield
