#include "api/request_gate.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "api/api_error.h"

namespace cshield {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxDrained = 1024 * 1024;
constexpr std::chrono::milliseconds kDrainTime{2'000};
// Room for chunk-size lines around max_body bytes of chunked data.
constexpr std::size_t kChunkFramingSlack = 4096;
// The kernel must be able to queue a whole request unread, since the gate only
// peeks: a TCP receive buffer this large advertises a window beyond it.
constexpr int kReceiveBuffer = 512 * 1024;

const char* reason_of(int status) {
  switch (status) {
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    default: return "Service Unavailable";
  }
}

const char* message_of(int status) {
  switch (status) {
    case 408: return "the request did not arrive in time";
    case 413: return "the request body is larger than 65536 bytes";
    case 431: return "the request header is larger than the server accepts";
    default: return "too many connections are waiting for their request; try again";
  }
}

std::string refusal_text(int status) {
  const std::string body = error_body(api_error(status, message_of(status)));
  return "HTTP/1.1 " + std::to_string(status) + " " + reason_of(status) +
         "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nConnection: close\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

void send_refusal(int fd, int status) {
  const std::string text = refusal_text(status);
  (void)::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);  // a short answer fits the buffer
  (void)::shutdown(fd, SHUT_WR);
}

bool set_blocking(int fd, bool blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  return ::fcntl(fd, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK) == 0;
}

}  // namespace

RequestGate::RequestGate(int listen_fd, GateLimits limits, HandOff hand_off)
    : listen_fd_(listen_fd), limits_(limits), hand_off_(std::move(hand_off)) {}

RequestGate::~RequestGate() { stop(); }

bool RequestGate::start(std::string& error) {
  if (thread_.joinable()) return true;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event listen_event{}, wake_event{};
  listen_event.events = wake_event.events = EPOLLIN;
  listen_event.data.fd = listen_fd_;
  wake_event.data.fd = wake_fd_;
  if (epoll_fd_ < 0 || wake_fd_ < 0 || !set_blocking(listen_fd_, false) ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen_event) != 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake_event) != 0) {
    error = std::string("cannot watch the API listener: ") + std::strerror(errno);
    stop();
    return false;
  }
  // Inherited by accepted TCP connections (and their window scale); no effect on Unix sockets.
  (void)::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  peek_.resize(limits_.framing.max_header + limits_.framing.max_body + kChunkFramingSlack);
  thread_ = std::thread([this] { run(); });
  return true;
}

void RequestGate::stop() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  for (const auto& [fd, pending] : pending_) ::close(fd);
  pending_.clear();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

void RequestGate::run() {
  // Nice 10, as the API's worker threads (api_server.cc): under a crowd of
  // clients the reader and pipeline threads, which must keep up with the
  // kernel, get the CPU first.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  epoll_event events[64];
  for (;;) {
    int timeout = -1;
    const auto now = Clock::now();
    for (const auto& [fd, pending] : pending_) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(pending.deadline - now).count();
      const int ms = left < 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
      if (timeout < 0 || ms < timeout) timeout = ms;
    }
    const int n = ::epoll_wait(epoll_fd_, events, 64, timeout);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) return;
      if (fd == listen_fd_) {
        accept_all();
        continue;
      }
      auto it = pending_.find(fd);
      if (it == pending_.end()) continue;
      if (it->second.draining) drain(fd, it->second);
      else examine(fd, it->second, (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
    }
    expire();
  }
}

void RequestGate::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN: all taken; EMFILE and the like: the next readiness retries
    }
    if (pending_.size() >= limits_.max_pending) {
      send_refusal(fd, 503);
      ::close(fd);
      continue;
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;  // ET: woken by new bytes, not by the ones already peeked
    event.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {  // readiness already there is reported once
      ::close(fd);
      continue;
    }
    pending_[fd].deadline = Clock::now() + limits_.deadline;
  }
}

void RequestGate::examine(int fd, Pending& pending, bool peer_hung_up) {
  const ssize_t n = ::recv(fd, peek_.data(), peek_.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR) && !peer_hung_up) return;
  if (n <= 0) return close_pending(fd);
  Framing framing = frame_request(std::string_view(peek_.data(), static_cast<std::size_t>(n)), limits_.framing);
  if (framing == Framing::incomplete && static_cast<std::size_t>(n) == peek_.size()) framing = Framing::body_too_large;
  switch (framing) {
    case Framing::complete:
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      pending_.erase(fd);
      if (!set_blocking(fd, true)) {
        ::close(fd);
        return;
      }
      hand_off_(fd);
      return;
    case Framing::header_too_large: return refuse(fd, pending, 431);
    case Framing::body_too_large: return refuse(fd, pending, 413);
    case Framing::incomplete:
      if (peer_hung_up) close_pending(fd);  // it will send no more: the request can never become whole
      return;
  }
}

void RequestGate::refuse(int fd, Pending& pending, int status) {
  send_refusal(fd, status);
  pending.draining = true;
  pending.deadline = Clock::now() + kDrainTime;
  drain(fd, pending);
}

void RequestGate::drain(int fd, Pending& pending) {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // ET: woken again when more arrives
    if (n <= 0) return close_pending(fd);
    pending.drained += static_cast<std::size_t>(n);
    if (pending.drained > kMaxDrained) return close_pending(fd);
  }
}

void RequestGate::expire() {
  const auto now = Clock::now();
  std::vector<int> due;
  for (const auto& [fd, pending] : pending_)
    if (pending.deadline <= now) due.push_back(fd);
  for (int fd : due) {
    Pending& pending = pending_[fd];
    if (pending.draining) close_pending(fd);
    else refuse(fd, pending, 408);
  }
}

void RequestGate::close_pending(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  pending_.erase(fd);
}

}  // namespace cshield
