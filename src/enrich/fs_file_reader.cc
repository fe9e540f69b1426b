#include "enrich/fs_file_reader.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace cshield {

FsFileReader::FsFileReader(std::string root) : root_(std::move(root)) {
  while (!root_.empty() && root_.back() == '/') root_.pop_back();
}

std::string FsFileReader::full_path(const std::string& path) const {
  if (path.empty() || path.front() != '/') return root_ + "/" + path;
  return root_ + path;
}

std::optional<std::string> FsFileReader::read(const std::string& path, std::size_t max_bytes) const {
  try {
    int fd = ::open(full_path(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    char buf[8192];
    // procfs files report size 0: read until EOF instead of trusting stat.
    while (out.size() < max_bytes) {
      std::size_t want = std::min(sizeof buf, max_bytes - out.size());
      ssize_t n = ::read(fd, buf, want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(fd);
        return std::nullopt;
      }
      if (n == 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
  } catch (...) {  // allocation failure
    return std::nullopt;
  }
}

std::optional<std::string> FsFileReader::read_link(const std::string& path) const {
  try {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(full_path(path).c_str(), buf, sizeof buf);
    if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  } catch (...) {
    return std::nullopt;
  }
}

bool FsFileReader::exists(const std::string& path) const {
  try {
    struct stat st;
    return ::stat(full_path(path).c_str(), &st) == 0;
  } catch (...) {
    return false;
  }
}

}  // namespace cshield
