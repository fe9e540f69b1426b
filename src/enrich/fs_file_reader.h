// FileReader over the real filesystem. Every path is taken relative to
// `root` ("/" for the live host; a fixture tree in tests), so "/proc/1/cgroup"
// with root "/srv/tree" reads "/srv/tree/proc/1/cgroup". Symlink targets are
// returned as stored, not re-rooted. Stateless after construction:
// thread-safe. Never throws.
#pragma once

#include <string>

#include "enrich/file_reader.h"

namespace cshield {

class FsFileReader : public FileReader {
 public:
  explicit FsFileReader(std::string root = "/");

  std::optional<std::string> read(const std::string& path, std::size_t max_bytes = 1 << 20) const override;
  std::optional<std::string> read_link(const std::string& path) const override;
  bool exists(const std::string& path) const override;

 private:
  std::string full_path(const std::string& path) const;
  std::string root_;  // without a trailing slash; empty for "/"
};

}  // namespace cshield
