// Reads audit records as text lines ("type=X msg=audit(...): ...", auditd's
// log format and its dispatcher's "string" format) from a file or an open
// descriptor, in chunks. read() hands out complete lines only and keeps a
// partial line for the next call; at end of input a last line without a
// newline is still handed out (newline added). Blank lines are skipped.
// Counts in Counters (optional, must outlive the source): source.records,
// source.bytes.
// Thread-safety: as RecordSource (stop() from any thread; a read() waiting
// on a pipe notices it within 200 ms).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/counters.h"
#include "source/record_source.h"

namespace cshield {

class FileSource : public RecordSource {
 public:
  static constexpr std::size_t kDefaultChunk = 64 * 1024;

  // Opens `path`; on failure is_open() is false, error() says why, and
  // read() returns false.
  explicit FileSource(const std::string& path, Counters* counters = nullptr,
                      std::size_t chunk_size = kDefaultChunk);
  // Reads `fd`, which stays the caller's (not closed): stdin from auditd's
  // dispatcher ("plugin") or a replayed log piped in ("file").
  FileSource(int fd, std::string mode, Counters* counters = nullptr, std::size_t chunk_size = kDefaultChunk);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  bool is_open() const { return fd_ >= 0; }
  // Why opening or reading failed; empty otherwise.
  const std::string& error() const { return error_; }

  bool read(std::string& out) override;
  void stop() override { stopping_ = true; }
  std::string_view mode() const override { return mode_; }

 private:
  void init_counters(Counters* counters);
  // Moves the complete lines of pending_ to `out`; with `at_end`, the rest too.
  void take_lines(std::string& out, bool at_end);

  int fd_ = -1;
  bool owns_fd_ = false;
  bool at_end_ = false;
  std::string mode_;
  std::string error_;
  std::string pending_;
  std::string chunk_;
  std::atomic<bool> stopping_{false};
  Counter* records_ = nullptr;
  Counter* bytes_ = nullptr;
};

}  // namespace cshield
