// The policy groups in force in the daemon: loaded from the store (the last
// policy that was accepted) and the `[policy] directory` at start, reloaded
// from the directory on SIGHUP, changed through the REST API; persisted in
// the store; every accepted change is handed at once to `apply` (which
// rebuilds the detectors and moves the protected-file watches), so it takes
// effect on running containers without a restart. A refused change (any
// error in any file, or an invalid REST body) leaves the running policy
// exactly as it was.
//
// Groups from files belong to their files: the API may not replace or delete
// them (409). A file that defines a group the API created takes it over.
//
// Also the ExecLearner of abnormal_process: what runs in a learning group's
// containers is recorded in the store (each path once per learning period).
//
// Thread-safe: every method may be called from any thread; `apply` is called
// under the runtime's lock, one change at a time. Never throws (store
// failures become 500 outcomes or logged errors).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/policy_service.h"
#include "detect/abnormal_process.h"
#include "policy/policy_set.h"
#include "store/policy_store.h"

namespace cshield {

class PolicyRuntime : public PolicyService, public ExecLearner {
 public:
  using Apply = std::function<void(std::shared_ptr<const PolicySet>)>;
  using Clock = std::function<std::int64_t()>;

  // `store` must outlive the runtime.
  PolicyRuntime(PolicyStore& store, std::string directory, Apply apply, Clock clock);

  // Loads the stored groups, then the directory over them, and applies the
  // result. The directory's errors are returned (the stored policy stays).
  std::vector<PolicyError> start();
  // Reads the directory again (SIGHUP); `directory` may have changed.
  std::vector<PolicyError> reload_files(const std::string& directory);
  std::shared_ptr<const PolicySet> current() const;

  std::string list_json() override;
  PolicyOutcome get(const std::string& name) override;
  PolicyOutcome put(const std::string& name, const std::string& body) override;
  PolicyOutcome remove(const std::string& name) override;
  PolicyOutcome learn(const std::string& name, int minutes) override;
  PolicyOutcome proposal(const std::string& name) override;

  void learned(const std::string& group, const std::string& path, std::int64_t time_ms) noexcept override;

 private:
  void publish_locked(std::vector<PolicyGroup> groups);

  PolicyStore& store_;
  std::string directory_;
  Apply apply_;
  Clock clock_;
  mutable std::mutex mu_;
  std::shared_ptr<const PolicySet> current_;
  std::mutex learned_mu_;
  std::set<std::pair<std::string, std::string>> learned_seen_;
};

}  // namespace cshield
