// sensitive_file_access (ALARMS.md): a process in a container covered by a
// policy group modifies one of the group's protected_files: opens it for
// writing, truncates, renames over or away, unlinks, chmods, chowns,
// sets/removes an attribute, links or symlinks over it. Reads never alarm.
//
// The kernel watches are per container (placed by the daemon when a covered
// container starts, removed when it stops): the host path of the file in the
// container's root filesystem, perms "wa", key
// "cshield.sensitive_file_access:<container id>"; a protected glob watches
// the directory above its first glob character. The PATH record names the
// file as the container sees it; that name must match a protected pattern
// of the container's group (a directory watch also sees other files).
//
// The kernel keeps one key per event, the first matching rule's: a file
// call under another cshield key is judged too (by its PATH names).
//
// The policy is fixed at construction. Pure.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/detector.h"
#include "policy/policy_set.h"

namespace cshield {

inline constexpr const char* kSensitiveFileKeyPrefix = "cshield.sensitive_file_access:";

// The modification a syscall makes ("write", "truncate", "rename", "unlink",
// "chmod", "chown", "setxattr", "link"), empty for none (a read). `flags`
// are the open flags for open/openat/creat when known.
std::string file_modification(std::string_view syscall, std::optional<std::int64_t> flags);

// The path inside the container to watch for `pattern`: the pattern itself,
// or for a glob the directory above its first glob character
// ("/etc/nginx/*" -> "/etc/nginx", watched recursively).
std::string protected_watch_path(const std::string& pattern);
// The watch rule for one host path of one container.
AuditRule sensitive_file_watch(const std::string& container_id, const std::string& host_path);

class SensitiveFileAccessDetector : public Detector {
 public:
  explicit SensitiveFileAccessDetector(std::shared_ptr<const PolicySet> policy);

  std::string_view type() const override { return "sensitive_file_access"; }
  std::vector<AuditRule> rules() const override { return {}; }  // per container, see above
  bool wants(const AuditEvent& event) const override;
  void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const override;
  bool reads_record(int record_type) const override;

 private:
  std::shared_ptr<const PolicySet> policy_;
};

}  // namespace cshield
