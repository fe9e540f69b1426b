#include "export/jsonl_channel.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "export/alarm_export_json.h"

namespace cshield {

JsonlChannel::JsonlChannel(std::string path) : path_(std::move(path)) {}

JsonlChannel::~JsonlChannel() { close_file(); }

void JsonlChannel::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

SendResult JsonlChannel::send(const Alarm& alarm, std::string& error) {
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd_ < 0) {
      error = path_ + ": " + std::strerror(errno);
      return SendResult::failed;
    }
  }
  // One write() of the whole line: O_APPEND keeps lines whole even with
  // another writer, and a reader never sees half a line from a short write
  // except on a full disk, which fails the alarm for a retry.
  const std::string line = alarm_export_json(alarm) + "\n";
  std::size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = path_ + ": " + std::strerror(errno);
      close_file();
      return SendResult::failed;
    }
    off += static_cast<std::size_t>(n);
  }
  return SendResult::delivered;
}

}  // namespace cshield
