// The policy groups as the REST API manages them (API.md: GET/PUT/DELETE
// /api/v1/policy-groups[/{name}], plus learning mode). A role interface the
// daemon implements (app/policy_runtime.h); tests use fakes. Called from the
// HTTP server's threads concurrently: implementations must be thread-safe
// and must not throw.
#pragma once

#include <string>
#include <vector>

#include "policy/policy_group.h"

namespace cshield {

struct PolicyOutcome {
  int status = 200;                 // 200, 201, 404, 409, 422
  std::string json;                 // the answer's body when status < 300 (a JSON object)
  std::string message;              // otherwise: what went wrong
  std::vector<PolicyError> errors;  // 422: every reason, with line (and file) when known
};

class PolicyService {
 public:
  virtual ~PolicyService() = default;
  // {"items":[group, ...]} with each group's source and learning state.
  virtual std::string list_json() = 0;
  virtual PolicyOutcome get(const std::string& name) = 0;
  // Creates (201) or replaces (200) the group `name` from a JSON body that
  // holds one group; refused whole (422) when invalid on its own or beside
  // the other groups, 409 when a policy file defines it.
  virtual PolicyOutcome put(const std::string& name, const std::string& body) = 0;
  virtual PolicyOutcome remove(const std::string& name) = 0;
  // Starts learning mode for `minutes` (forgets what an earlier one learned).
  virtual PolicyOutcome learn(const std::string& name, int minutes) = 0;
  // {"group":{...the group with the proposed whitelist...},"learned":[...],
  //  "learning_until":..., "learning":bool}
  virtual PolicyOutcome proposal(const std::string& name) = 0;
};

}  // namespace cshield
