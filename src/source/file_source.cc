#include "source/file_source.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

namespace cshield {
namespace {

constexpr int kPollMs = 200;

std::string error_text(int err) { return std::generic_category().message(err); }

// The number of lines of `text` (complete lines), or nullopt if one of them
// is blank. memchr() leaps over a line at a time; std::count() and find()
// would go byte by byte, and twice.
std::optional<std::uint64_t> lines_without_blanks(std::string_view text) {
  std::uint64_t n = 0;
  const char* const end = text.data() + text.size();
  for (const char* at = text.data();
       (at = static_cast<const char*>(std::memchr(at, '\n', static_cast<std::size_t>(end - at)))) != nullptr;) {
    ++n;
    if (++at < end && *at == '\n') return std::nullopt;
  }
  return n;
}

}  // namespace

FileSource::FileSource(const std::string& path, Counters* counters, std::size_t chunk_size)
    : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC)), owns_fd_(true), mode_("file"),
      chunk_(chunk_size ? chunk_size : kDefaultChunk, '\0') {
  if (fd_ < 0) error_ = "cannot open " + path + ": " + error_text(errno);
  init_counters(counters);
}

FileSource::FileSource(int fd, std::string mode, Counters* counters, std::size_t chunk_size)
    : fd_(fd), mode_(std::move(mode)), chunk_(chunk_size ? chunk_size : kDefaultChunk, '\0') {
  if (fd_ < 0) error_ = "invalid file descriptor";
  init_counters(counters);
}

FileSource::~FileSource() {
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

void FileSource::init_counters(Counters* counters) {
  if (!counters) return;
  records_ = &counters->counter("source.records", "audit records read");
  bytes_ = &counters->counter("source.bytes", "bytes of audit records read");
}

bool FileSource::read(std::string& out) {
  if (fd_ < 0 || at_end_ || stopping_) return false;
  pollfd pfd{fd_, POLLIN, 0};
  const int ready = poll(&pfd, 1, kPollMs);
  if (stopping_) return false;
  if (ready == 0 || (ready < 0 && errno == EINTR)) return true;
  const ssize_t got = ::read(fd_, chunk_.data(), chunk_.size());
  if (got < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    error_ = "read: " + error_text(errno);
    at_end_ = true;
    return false;
  }
  if (bytes_) bytes_->add(static_cast<std::uint64_t>(got));
  pending_.append(chunk_.data(), static_cast<std::size_t>(got));
  at_end_ = got == 0;
  const std::size_t before = out.size();
  take_lines(out, at_end_);
  return !at_end_ || out.size() > before;
}

void FileSource::take_lines(std::string& out, bool at_end) {
  // Usually every complete line is a record: they go on in one piece, and
  // without a copy when `out` is empty (the buffers trade places).
  const std::size_t last_newline = pending_.rfind('\n');
  if (last_newline != std::string::npos && pending_[0] != '\n') {
    const std::string_view lines(pending_.data(), last_newline + 1);
    if (const auto count = lines_without_blanks(lines)) {
      if (records_) records_->add(*count);
      if (out.empty()) {
        out.swap(pending_);
        pending_.assign(out, lines.size());
        out.resize(lines.size());
      } else {
        out.append(lines);
        pending_.erase(0, lines.size());
      }
      if (!at_end || pending_.empty()) return;
    }
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t end = pending_.find('\n', start);
    if (end == std::string::npos) {
      if (!at_end || start == pending_.size()) break;
      end = pending_.size();
    }
    if (end > start) {
      out.append(pending_, start, end - start);
      out += '\n';
      if (records_) records_->add();
    }
    start = end + 1;
    if (start >= pending_.size()) break;
  }
  pending_.erase(0, std::min(start, pending_.size()));
}

}  // namespace cshield
