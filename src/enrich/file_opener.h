// Opens a file to read its contents as a stream, with the identity the cache
// of ExecutableHasher keys on. The role beside FileReader for files too big
// to read whole (executables) and whose identity matters (device, inode).
// Implementations: FsFileOpener (the filesystem, relative to a root); tests
// use an in-memory fake. Thread-safe when the implementation is; an opened
// file is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace cshield {

// What identifies a file's contents without reading them: the same device,
// inode, size and modification time mean the same bytes (in practice).
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileIdentity& o) const {
    return device == o.device && inode == o.inode && size == o.size && mtime_ns == o.mtime_ns;
  }
};

class OpenedFile {
 public:
  virtual ~OpenedFile() = default;
  virtual FileIdentity identity() const = 0;
  // Up to `n` bytes into `buf`: the count read, 0 at the end, -1 on error.
  virtual long read(char* buf, std::size_t n) = 0;
};

class FileOpener {
 public:
  enum class Failure { kNone, kMissing, kUnreadable };
  struct Result {
    std::unique_ptr<OpenedFile> file;  // null on failure
    Failure failure = Failure::kNone;  // kMissing: no such file (or process)
  };
  virtual ~FileOpener() = default;
  virtual Result open(const std::string& path) const = 0;
};

}  // namespace cshield
