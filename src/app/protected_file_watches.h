// The kernel watches of sensitive_file_access: for every running container
// a policy group covers, one watch (perms "wa", key
// "cshield.sensitive_file_access:<id>") per protected file on the host path
// of that file in the container's root filesystem (its overlay "merged"
// directory for Docker, the bundle's rootfs for runc); for a glob, the
// directory above it. Placed when the container starts (or when a policy
// change makes a group cover it or changes its files), removed when it stops
// or no longer needs them. The root filesystem path is a node path: it is
// read, and the watch placed, under the node's root ([node] root) as cshieldd
// sees it; the watches' key names the container, never the path. Also reports each running container's group
// (`associate`, "" for none) so the inventory can show it.
//
// Thread-safe: the pipeline thread reports starts and stops, the policy
// runtime policy changes, the main thread reloads. Every AuditControl call is
// made under `control_mu` (shared with the daemon's other users of the
// control). Never throws: failures are counted and logged.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/counters.h"
#include "policy/policy_set.h"
#include "rules/audit_control.h"

namespace cshield {

class ProtectedFileWatches {
 public:
  using Associate = std::function<void(const std::string& container_id, const std::string& group)>;

  ProtectedFileWatches(AuditControl& control, std::mutex& control_mu, Counters& counters, Associate associate,
                       std::string node_root = "/");

  void set_policy(std::shared_ptr<const PolicySet> policy);
  void started(const ContainerInfo& container);
  void stopped(const std::string& container_id);
  // Places every watch again (after the daemon replaced the kernel's cshield rules).
  void replace_all();
  std::size_t placed() const;

  // The watches a container needs under a policy, as loaded: their paths
  // under `node_root` (pure but for reading the container's root filesystem
  // to resolve links).
  static std::vector<AuditRule> wanted(const PolicySet& policy, const ContainerInfo& container,
                                       const std::string& node_root = "/");

 private:
  void sync_locked(const ContainerInfo& container, bool force);

  AuditControl& control_;
  std::mutex& control_mu_;
  Associate associate_;
  const std::string node_root_;
  mutable std::mutex mu_;
  std::shared_ptr<const PolicySet> policy_;
  std::map<std::string, ContainerInfo> running_;
  std::map<std::string, std::vector<AuditRule>> placed_;
  std::map<std::string, std::string> groups_;
  Counter& added_;
  Counter& failed_;
};

}  // namespace cshield
