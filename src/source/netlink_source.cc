#include "source/netlink_source.h"

#include <libaudit.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "rules/libaudit_control.h"
#include "source/audit_mode.h"

namespace cshield {
namespace {

std::string error_text(int err) { return std::generic_category().message(err); }

std::string process_name(std::uint32_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

}  // namespace

std::string audit_daemon_registered_message(std::uint32_t pid) {
  if (pid == static_cast<std::uint32_t>(getpid()))
    return "this process (pid " + std::to_string(pid) + ") is already registered as the audit daemon";
  const std::string name = process_name(pid);
  return "another audit daemon is registered (pid " + std::to_string(pid) + (name.empty() ? "" : ", " + name) +
         "); stop it or read beside it in multicast mode";
}

NetlinkSource::NetlinkSource(NetlinkSourceOptions options)
    : options_(options), receiver_(options.counters) {}

NetlinkSource::~NetlinkSource() { stop(); }

Result NetlinkSource::start() {
  if (receiver_.attached()) return Result::failure("the netlink source is already started");
  LibauditControl control;
  AuditStatus status;
  if (auto r = control.status(status); !r.ok()) return r;
  if (audit_daemon_alive(status.pid)) return Result::failure(audit_daemon_registered_message(status.pid));
  if (options_.backlog_limit && status.backlog_limit != options_.backlog_limit)
    if (auto r = control.set_backlog_limit(options_.backlog_limit); !r.ok()) return r;
  if (options_.backlog_wait_time && status.backlog_wait_time != *options_.backlog_wait_time)
    if (auto r = control.set_backlog_wait_time(*options_.backlog_wait_time); !r.ok()) return r;

  const int fd = audit_open();
  if (fd < 0) return Result::failure("cannot open the audit netlink socket: " + error_text(errno));
  if (auto r = set_receive_buffer(fd, options_.receive_buffer_bytes); !r.ok()) {
    audit_close(fd);
    return r;
  }
  // WAIT_NO: the kernel's ack is still checked; WAIT_YES would also swallow
  // the first record that follows.
  const int rc = audit_set_pid(fd, static_cast<std::uint32_t>(getpid()), WAIT_NO);
  if (rc < 0) {
    audit_close(fd);
    if (rc == -EEXIST && control.status(status).ok())
      return Result::failure(audit_daemon_registered_message(status.pid));
    return Result::failure("register as the audit daemon: " + error_text(-rc));
  }
  registered_ = true;
  return receiver_.attach(fd, NetlinkReceiver::Length::kPayloadOnly);
}

bool NetlinkSource::read(std::string& out) { return receiver_.read(out); }

void NetlinkSource::stop() {
  receiver_.shutdown([this](int fd) {
    if (registered_) (void)audit_set_pid(fd, 0, WAIT_NO);
    registered_ = false;
  });
}

}  // namespace cshield
