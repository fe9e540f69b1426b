// FileOpener over the real filesystem, every path relative to `root` like
// FsFileReader ("/" for the live host). Opening /proc/<pid>/exe opens the
// executable the process runs, also when it is a memfd or deleted.
// Stateless: thread-safe. Never throws.
#pragma once

#include <string>

#include "enrich/file_opener.h"

namespace cshield {

class FsFileOpener : public FileOpener {
 public:
  explicit FsFileOpener(std::string root = "/");
  Result open(const std::string& path) const override;

 private:
  std::string root_;  // without a trailing slash; empty for "/"
};

}  // namespace cshield
