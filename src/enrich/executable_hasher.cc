#include "enrich/executable_hasher.h"

#include <vector>

#include "enrich/sha256.h"

namespace cshield {

namespace {

std::string cache_key(const FileIdentity& id) {
  return std::to_string(id.device) + ":" + std::to_string(id.inode) + ":" + std::to_string(id.size) + ":" +
         std::to_string(id.mtime_ns);
}

}  // namespace

std::string FileHash::problem() const {
  switch (status) {
    case Status::kOk: return "";
    case Status::kMissing: return "process gone before its executable could be read";
    case Status::kUnreadable: return "executable could not be read";
    case Status::kTooLarge: return "executable larger than the hashing limit";
    case Status::kOtherFile: return "the file at the executable's path is no longer the one executed";
  }
  return "";
}

ExecutableHasher::ExecutableHasher(const FileOpener& opener, Counters* counters, ExecutableHasherOptions options)
    : opener_(opener), options_(options), cache_(options.cache_entries) {
  if (counters) {
    computed_ = &counters->counter("enrich.hashes_computed", "executables read whole to compute their SHA-256");
    hits_ = &counters->counter("enrich.hash_cache_hits",
                               "executable hashes taken from the cache (same device, inode, size, mtime)");
    failed_ = &counters->counter("enrich.hashes_unavailable",
                                 "executables that could not be hashed (process gone, unreadable, too large)");
  }
}

FileHash ExecutableHasher::hash(const std::string& path, const std::function<bool(const FileIdentity&)>& accept) {
  FileHash out;
  auto opened = opener_.open(path);
  if (!opened.file) {
    out.status = opened.failure == FileOpener::Failure::kMissing ? FileHash::Status::kMissing
                                                                 : FileHash::Status::kUnreadable;
    if (failed_) failed_->add();
    return out;
  }
  out.identity = opened.file->identity();
  if (accept && !accept(out.identity)) {
    out.status = FileHash::Status::kOtherFile;
    return out;
  }
  const std::string key = cache_key(out.identity);
  if (const std::string* known = cache_.find(key)) {
    out.status = FileHash::Status::kOk;
    out.sha256 = *known;
    out.cached = true;
    if (hits_) hits_->add();
    return out;
  }
  if (out.identity.size > options_.max_bytes) {
    out.status = FileHash::Status::kTooLarge;
    if (failed_) failed_->add();
    return out;
  }
  Sha256 sha;
  std::vector<char> buf(1 << 16);
  std::uint64_t total = 0;
  while (true) {
    const long n = opened.file->read(buf.data(), buf.size());
    if (n < 0) {
      out.status = FileHash::Status::kUnreadable;
      if (failed_) failed_->add();
      return out;
    }
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    if (total > options_.max_bytes) {  // grew while being read
      out.status = FileHash::Status::kTooLarge;
      if (failed_) failed_->add();
      return out;
    }
    sha.update(buf.data(), static_cast<std::size_t>(n));
  }
  out.sha256 = sha.hex();
  if (out.sha256.empty()) {
    out.status = FileHash::Status::kUnreadable;
    if (failed_) failed_->add();
    return out;
  }
  out.status = FileHash::Status::kOk;
  if (computed_) computed_->add();
  // A file that changed while read keeps no cache entry: its identity no
  // longer describes these bytes.
  if (total == out.identity.size) cache_.get_or_insert(key) = out.sha256;
  return out;
}

}  // namespace cshield
