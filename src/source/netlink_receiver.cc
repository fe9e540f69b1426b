#include "source/netlink_receiver.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

#include "core/own_record_types.h"
#include "source/audit_record_format.h"
#include "source/own_record_filter.h"

namespace cshield {
namespace {

constexpr int kPollMs = 200;
constexpr std::size_t kMaxBatch = 512;
// Messages one recvmmsg call takes; each slot is larger than any audit
// message (the kernel caps them at 8970 bytes plus the netlink header).
constexpr std::size_t kSlots = 32;
constexpr std::size_t kSlotSize = 16 * 1024;

std::string error_text(int err) { return std::generic_category().message(err); }

}  // namespace

Result set_receive_buffer(int fd, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0) return Result::success();
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) == 0) return Result::success();
  return Result::failure("set the socket receive buffer to " + std::to_string(bytes) + " bytes: " + error_text(errno));
}

NetlinkReceiver::NetlinkReceiver(Counters* counters)
    : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), buffer_(kSlots * kSlotSize) {
  if (!counters) return;
  records_ = &counters->counter("source.records", "audit records read");
  bytes_ = &counters->counter("source.bytes", "bytes of audit records read");
  overruns_ = &counters->counter("source.overruns",
                                 "socket receive buffer overruns (ENOBUFS): audit records lost before cshield read them");
  malformed_ = &counters->counter("source.malformed", "netlink messages too short or truncated, skipped");
  own_records_ = &own_records_counter(*counters);
}

NetlinkReceiver::~NetlinkReceiver() {
  shutdown(nullptr);
  if (wake_fd_ >= 0) close(wake_fd_);
}

Result NetlinkReceiver::attach(int fd, Length length) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ >= 0) {
    close(fd);
    return Result::failure("the source is already started");
  }
  if (wake_fd_ < 0) {
    close(fd);
    return Result::failure("no eventfd to wake the reader: the process is out of file descriptors");
  }
  std::uint64_t pending = 0;
  (void)!::read(wake_fd_, &pending, sizeof(pending));  // a wake-up left by an earlier shutdown
  fd_ = fd;
  length_ = length;
  stopping_ = false;
  return Result::success();
}

bool NetlinkReceiver::attached() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fd_ >= 0;
}

bool NetlinkReceiver::read(std::string& out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || fd_ < 0) return false;
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  const int rc = poll(fds, 2, kPollMs);
  if (stopping_) return false;
  if (rc > 0 && (fds[0].revents & (POLLIN | POLLERR)) && drain(out)) overflowed_ = false;
  return true;
}

bool NetlinkReceiver::overflowed() {
  std::lock_guard<std::mutex> lock(mu_);
  if (overflowed_ || fd_ < 0) return overflowed_;
  pollfd fds{fd_, 0, 0};
  if (poll(&fds, 1, 0) > 0 && (fds.revents & POLLERR)) overflowed_ = true;
  return overflowed_;
}

bool NetlinkReceiver::drain(std::string& out) {
  sockaddr_nl from[kSlots];
  iovec iov[kSlots];
  mmsghdr msgs[kSlots];
  std::size_t taken = 0;
  while (taken < kMaxBatch) {
    for (std::size_t i = 0; i < kSlots; ++i) {
      iov[i] = {buffer_.data() + i * kSlotSize, kSlotSize};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    // MSG_TRUNC: msg_len is a datagram's real length, so a truncated one shows.
    const int got = recvmmsg(fd_, msgs, kSlots, MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        if (overruns_) overruns_->add();
        overflowed_ = true;
        continue;
      }
      return errno == EAGAIN;  // EAGAIN: drained; anything else: poll reports it again
    }
    for (int i = 0; i < got; ++i) {
      ++taken;
      if (from[i].nl_pid != 0) continue;  // not from the kernel
      if (msgs[i].msg_len > kSlotSize) {
        if (malformed_) malformed_->add();
        continue;
      }
      append_message(buffer_.data() + static_cast<std::size_t>(i) * kSlotSize, msgs[i].msg_len, out);
    }
    if (static_cast<std::size_t>(got) < kSlots) return true;  // the socket is empty
  }
  return false;
}

// One datagram carries one audit message (the kernel sends each in its own skb).
void NetlinkReceiver::append_message(const char* data, std::size_t size, std::string& out) {
  if (size < NLMSG_HDRLEN) {
    if (malformed_) malformed_->add();
    return;
  }
  const auto* header = reinterpret_cast<const nlmsghdr*>(data);
  if (header->nlmsg_type == AUDIT_REPLACE) {
    // Payload: the pid that asked to replace us (our own registration and
    // unregistration send it too).
    std::uint32_t pid = 0;
    if (size >= NLMSG_HDRLEN + sizeof pid) std::memcpy(&pid, data + NLMSG_HDRLEN, sizeof pid);
    if (pid != 0 && pid != static_cast<std::uint32_t>(getpid())) replace_pid_ = pid;
    return;
  }
  if (!is_audit_record_type(header->nlmsg_type)) return;
  if (is_own_record_type(header->nlmsg_type)) {
    if (own_records_) own_records_->add();
    return;
  }
  const std::size_t available = size - NLMSG_HDRLEN;
  std::size_t length = header->nlmsg_len;
  if (length_ == Length::kWithHeader) length = length >= NLMSG_HDRLEN ? length - NLMSG_HDRLEN : 0;
  if (length > available) length = available;
  const std::size_t before = out.size();
  append_audit_record(header->nlmsg_type, std::string_view(data + NLMSG_HDRLEN, length), out);
  if (records_) records_->add();
  if (bytes_) bytes_->add(out.size() - before);
}

void NetlinkReceiver::shutdown(const std::function<void(int fd)>& before_close) {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return;
  if (before_close) before_close(fd_);
  close(fd_);
  fd_ = -1;
}

}  // namespace cshield
