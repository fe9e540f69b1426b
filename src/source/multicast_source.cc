#include "source/multicast_source.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace cshield {
namespace {

std::string error_text(int err) { return std::generic_category().message(err); }

}  // namespace

MulticastSource::MulticastSource(MulticastSourceOptions options)
    : options_(options), receiver_(options.counters) {}

MulticastSource::~MulticastSource() { stop(); }

Result MulticastSource::start() {
  if (receiver_.attached()) return Result::failure("the multicast source is already started");
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return Result::failure("cannot open an audit netlink socket: " + error_text(errno));
  if (auto r = set_receive_buffer(fd, options_.receive_buffer_bytes); !r.ok()) {
    close(fd);
    return r;
  }
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    close(fd);
    return Result::failure("join the audit multicast group: " + error_text(err) +
                           (err == EPERM ? " (needs CAP_AUDIT_READ)" : ""));
  }
  return receiver_.attach(fd, NetlinkReceiver::Length::kWithHeader);
}

bool MulticastSource::read(std::string& out) { return receiver_.read(out); }

void MulticastSource::stop() { receiver_.shutdown(nullptr); }

}  // namespace cshield
