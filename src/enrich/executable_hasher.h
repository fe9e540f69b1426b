// SHA-256 of executables, read through a FileOpener (the daemon opens
// /proc/<pid>/exe, so the file is the one the container process runs, in
// its own filesystem), cached by device, inode, size and modification time
// so that a program executed again and again is hashed once. The cache is
// bounded (least recently used entries go) and files above `max_bytes` are
// not hashed. Counts what it does in `counters` when given.
// Single-threaded (the pipeline thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/counters.h"
#include "enrich/file_opener.h"
#include "enrich/lru_map.h"

namespace cshield {

struct FileHash {
  enum class Status { kOk, kMissing, kUnreadable, kTooLarge, kOtherFile };
  Status status = Status::kUnreadable;
  std::string sha256;  // lower-case hex when kOk
  FileIdentity identity;
  bool cached = false;

  // Why there is no hash, in words for an alarm's evidence; empty when kOk.
  std::string problem() const;
};

struct ExecutableHasherOptions {
  std::size_t cache_entries = 4096;
  // Larger files are not hashed: hashing runs in the pipeline thread
  // (a new 128 MiB file costs about 70 ms of SHA-256 plus its reading).
  std::uint64_t max_bytes = 128ull << 20;
};

class ExecutableHasher {
 public:
  ExecutableHasher(const FileOpener& opener, Counters* counters = nullptr, ExecutableHasherOptions options = {});

  // `accept`, when given, decides from the opened file's identity whether it
  // is the file wanted; kOtherFile when not (nothing is read).
  FileHash hash(const std::string& path, const std::function<bool(const FileIdentity&)>& accept = nullptr);

  std::size_t cached_entries() const { return cache_.size(); }

 private:
  const FileOpener& opener_;
  ExecutableHasherOptions options_;
  LruMap<std::string, std::string> cache_;  // identity key -> sha256
  Counter* computed_ = nullptr;
  Counter* hits_ = nullptr;
  Counter* failed_ = nullptr;
};

}  // namespace cshield
