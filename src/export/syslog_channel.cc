#include "export/syslog_channel.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "export/alarm_export_json.h"
#include "export/cef_format.h"
#include "export/syslog_message.h"

namespace cshield {

namespace {

constexpr int kConnectTimeoutMs = 2000;
constexpr int kSendTimeoutMs = 2000;
constexpr std::size_t kMaxDatagram = 65000;

std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "-";
  return buf;
}

// Non-blocking connect bounded by kConnectTimeoutMs; 0 or an errno.
int connect_with_timeout(int fd, const sockaddr* addr, socklen_t len) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = ::connect(fd, addr, len);
  int err = rc == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    rc = ::poll(&p, 1, kConnectTimeoutMs);
    if (rc <= 0) {
      err = rc == 0 ? ETIMEDOUT : errno;
    } else {
      socklen_t l = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
    }
  }
  ::fcntl(fd, F_SETFL, flags);
  return err;
}

}  // namespace

std::optional<SyslogTarget> parse_syslog_target(const std::string& url, std::string& error) {
  SyslogTarget t;
  std::string rest;
  if (url.rfind("udp://", 0) == 0) {
    rest = url.substr(6);
  } else if (url.rfind("tcp://", 0) == 0) {
    t.tcp = true;
    rest = url.substr(6);
  } else {
    error = "'" + url + "' is not udp://host:port or tcp://host:port";
    return std::nullopt;
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
    error = "'" + url + "' lacks a host or a port";
    return std::nullopt;
  }
  t.host = rest.substr(0, colon);
  t.port = rest.substr(colon + 1);
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  return t;
}

SyslogChannel::SyslogChannel(SyslogTarget target, Format format, std::string product_version)
    : target_(std::move(target)),
      format_(format),
      version_(std::move(product_version)),
      hostname_(local_hostname()),
      procid_(std::to_string(::getpid())) {}

SyslogChannel::~SyslogChannel() { close_socket(); }

void SyslogChannel::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool SyslogChannel::open_socket(std::string& error) {
  addrinfo hints{};
  hints.ai_socktype = target_.tcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(target_.host.c_str(), target_.port.c_str(), &hints, &res); rc != 0) {
    error = "resolving " + target_.host + ": " + ::gai_strerror(rc);
    return false;
  }
  error.clear();
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    if (const int err = connect_with_timeout(fd, ai->ai_addr, ai->ai_addrlen); err != 0) {
      error = "connecting to " + target_.host + ":" + target_.port + ": " + std::strerror(err);
      ::close(fd);
      continue;
    }
    timeval tv{kSendTimeoutMs / 1000, (kSendTimeoutMs % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    fd_ = fd;
    break;
  }
  ::freeaddrinfo(res);
  return fd_ >= 0;
}

bool SyslogChannel::peer_gone() const {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLERR | POLLHUP)) return true;
  char c;
  const ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

SendResult SyslogChannel::send(const Alarm& alarm, std::string& error) {
  if (fd_ >= 0 && target_.tcp && peer_gone()) close_socket();
  const std::string& host = alarm.host.empty() ? hostname_ : alarm.host;  // the node that raised it
  const std::string payload =
      format_ == Format::cef ? format_cef(alarm, version_, host) : alarm_export_json(alarm);
  std::string message = rfc5424_message(syslog_priority(alarm.severity), alarm.last_seen_ms, host, "cshieldd",
                                        procid_, alarm.type, payload);
  if (target_.tcp) {
    message = octet_counted(message);
  } else if (message.size() > kMaxDatagram) {
    error = "a " + std::to_string(message.size()) + "-byte message does not fit a UDP datagram";
    return SendResult::rejected;
  }
  if (fd_ < 0 && !open_socket(error)) return SendResult::failed;
  std::size_t off = 0;
  while (off < message.size()) {
    const ssize_t n = ::send(fd_, message.data() + off, message.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::string(target_.tcp ? "tcp" : "udp") + " send to " + target_.host + ":" + target_.port + ": " +
              std::strerror(errno);
      close_socket();
      return SendResult::failed;
    }
    off += static_cast<std::size_t>(n);
  }
  return SendResult::delivered;
}

}  // namespace cshield
