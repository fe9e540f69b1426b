#include "enrich/fs_file_opener.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace cshield {

namespace {

class FdFile : public OpenedFile {
 public:
  FdFile(int fd, const FileIdentity& id) : fd_(fd), id_(id) {}
  ~FdFile() override { ::close(fd_); }
  FdFile(const FdFile&) = delete;
  FdFile& operator=(const FdFile&) = delete;

  FileIdentity identity() const override { return id_; }
  long read(char* buf, std::size_t n) override {
    while (true) {
      const ssize_t r = ::read(fd_, buf, n);
      if (r < 0 && errno == EINTR) continue;
      return r < 0 ? -1 : static_cast<long>(r);
    }
  }

 private:
  int fd_;
  FileIdentity id_;
};

}  // namespace

FsFileOpener::FsFileOpener(std::string root) : root_(std::move(root)) {
  while (!root_.empty() && root_.back() == '/') root_.pop_back();
}

FileOpener::Result FsFileOpener::open(const std::string& path) const {
  Result result;
  try {
    const std::string full = path.empty() || path.front() != '/' ? root_ + "/" + path : root_ + path;
    const int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
      // ESRCH: the process exited between the lookup and the open.
      result.failure = errno == ENOENT || errno == ESRCH ? Failure::kMissing : Failure::kUnreadable;
      return result;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      result.failure = Failure::kUnreadable;
      return result;
    }
    FileIdentity id;
    id.device = static_cast<std::uint64_t>(st.st_dev);
    id.inode = static_cast<std::uint64_t>(st.st_ino);
    id.size = static_cast<std::uint64_t>(st.st_size);
    id.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    result.file = std::make_unique<FdFile>(fd, id);
  } catch (...) {  // allocation failure
    result.file.reset();
    result.failure = Failure::kUnreadable;
  }
  return result;
}

}  // namespace cshield
