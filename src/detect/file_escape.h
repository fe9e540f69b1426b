// file_escape (ALARMS.md): a container process accesses a key host file or
// directory. Each watched host path gets a kernel watch whose key names it
// ("cshield.file_escape:/etc/shadow"), so the alarm says which host file was
// reached even when the container sees it under another name
// (-v /etc:/hostetc). Watches follow the host inode: the container's own
// image files never match. Runtime-managed files never alarm.
#pragma once

#include <string>
#include <vector>

#include "detect/detector.h"

namespace cshield {

inline constexpr const char* kFileEscapeKeyPrefix = "cshield.file_escape:";

struct WatchedHostPath {
  std::string path;     // host path; a trailing '/' marks a directory (watched recursively)
  bool reads = true;    // false: only writes and attribute changes alarm (/etc/passwd)
};

std::vector<WatchedHostPath> default_file_escape_paths();

class FileEscapeDetector : public Detector {
 public:
  explicit FileEscapeDetector(std::vector<WatchedHostPath> paths = default_file_escape_paths());

  std::string_view type() const override { return "file_escape"; }
  std::vector<AuditRule> rules() const override;
  bool wants(const AuditEvent& event) const override;
  void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const override;
  bool reads_record(int record_type) const override;

 private:
  std::vector<WatchedHostPath> paths_;
};

}  // namespace cshield
