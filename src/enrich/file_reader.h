// Reads the host files enrichment needs (/proc/<pid>/..., runtime state
// dirs, OCI config.json) relative to a root, so that tests can point it at a
// fake tree under test/data/. Thread-safe when the implementation is.
#pragma once

#include <optional>
#include <string>

namespace cshield {

class FileReader {
 public:
  virtual ~FileReader() = default;
  // Whole file contents (at most `max_bytes`), nullopt when it cannot be read.
  virtual std::optional<std::string> read(const std::string& path, std::size_t max_bytes = 1 << 20) const = 0;
  // Target of a symlink (/proc/<pid>/exe), nullopt when it cannot be read.
  virtual std::optional<std::string> read_link(const std::string& path) const = 0;
  virtual bool exists(const std::string& path) const = 0;
};

}  // namespace cshield
