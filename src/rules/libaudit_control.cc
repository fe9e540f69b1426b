#include "rules/libaudit_control.h"

#include <libaudit.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>

#include "core/own_record_types.h"
#include "rules/rule_codec.h"

namespace cshield {
namespace {

std::string error_text(int err) { return std::generic_category().message(err); }

std::size_t payload_size(const audit_reply& rep) {
  return rep.len > static_cast<int>(NLMSG_HDRLEN) ? static_cast<std::size_t>(rep.len) - NLMSG_HDRLEN : 0;
}

Result check(int rc, const std::string& what) {
  if (rc >= 0) return Result::success();
  return Result::failure(what + ": " + error_text(-rc));
}

}  // namespace

LibauditControl::LibauditControl() { set_aumessage_mode(MSG_QUIET, DBG_NO); }

LibauditControl::~LibauditControl() { audit_close(fd_); }

Result LibauditControl::ensure_open() {
  if (fd_ >= 0) return Result::success();
  fd_ = audit_open();
  if (fd_ < 0) return Result::failure("cannot open the audit netlink socket: " + error_text(errno));
  return Result::success();
}

void LibauditControl::drain_stale_replies() {
  auto rep = std::make_unique<audit_reply>();
  for (int i = 0; i < 4096; ++i)
    if (audit_get_reply(fd_, rep.get(), GET_REPLY_NONBLOCKING, 0) == -EAGAIN) return;
}

Result LibauditControl::await_replies(const std::string& what,
                                      const std::function<bool(const audit_reply&)>& on_reply) {
  using Clock = std::chrono::steady_clock;
  auto rep = std::make_unique<audit_reply>();
  auto deadline = Clock::now() + reply_timeout_;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return Result::failure(what + ": no reply from the kernel within " +
                             std::to_string(reply_timeout_.count()) + " ms");
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
      return Result::failure(what + ": poll: " + error_text(errno));
    const int rc = audit_get_reply(fd_, rep.get(), GET_REPLY_NONBLOCKING, 0);
    if (rc == -EAGAIN || rc == -EINTR) continue;
    if (rc < 0) return Result::failure(what + ": " + error_text(-rc));
    if (rep->type == NLMSG_ERROR) {
      if (rep->error->error != 0) return Result::failure(what + ": " + error_text(-rep->error->error));
      continue;  // a plain acknowledgement
    }
    if (on_reply(*rep)) return Result::success();
    deadline = Clock::now() + reply_timeout_;
  }
}

Result LibauditControl::status(AuditStatus& out) {
  if (auto r = ensure_open(); !r.ok()) return r;
  drain_stale_replies();
  if (auto r = check(audit_request_status(fd_), "request the audit status"); !r.ok()) return r;
  return await_replies("read the audit status", [&](const audit_reply& rep) {
    if (rep.type != AUDIT_GET) return false;
    audit_status s{};
    std::memcpy(&s, rep.status, std::min(sizeof(s), payload_size(rep)));
    out.enabled = s.enabled;
    out.failure = s.failure;
    out.pid = s.pid;
    out.rate_limit = s.rate_limit;
    out.backlog_limit = s.backlog_limit;
    out.lost = s.lost;
    out.backlog = s.backlog;
    out.backlog_wait_time = s.backlog_wait_time;
    out.backlog_wait_time_actual = s.backlog_wait_time_actual;
    return true;
  });
}

Result LibauditControl::set_enabled(std::uint32_t enabled) {
  if (auto r = ensure_open(); !r.ok()) return r;
  drain_stale_replies();
  return check(audit_set_enabled(fd_, enabled), "set audit enabled=" + std::to_string(enabled));
}

Result LibauditControl::set_backlog_limit(std::uint32_t limit) {
  if (auto r = ensure_open(); !r.ok()) return r;
  drain_stale_replies();
  return check(audit_set_backlog_limit(fd_, limit), "set audit backlog_limit=" + std::to_string(limit));
}

Result LibauditControl::set_backlog_wait_time(std::uint32_t wait_time) {
  if (auto r = ensure_open(); !r.ok()) return r;
  drain_stale_replies();
  return check(audit_set_backlog_wait_time(fd_, wait_time),
               "set audit backlog_wait_time=" + std::to_string(wait_time));
}

Result LibauditControl::write_backlog_wake_record() {
  if (auto r = ensure_open(); !r.ok()) return r;
  drain_stale_replies();
  // result 1: res=success; no hostname, addr or tty.
  if (audit_log_user_message(fd_, kBacklogWakeRecordType, "op=cshield-backlog-wake", nullptr, nullptr, nullptr, 1) <= 0)
    return Result::failure(std::string("write the backlog wake record: ") + std::strerror(errno));
  return Result::success();
}

Result LibauditControl::list_raw_rules(std::vector<std::vector<char>>& out) {
  if (auto r = ensure_open(); !r.ok()) return r;
  drain_stale_replies();
  out.clear();
  if (auto r = check(audit_request_rules_list_data(fd_), "request the audit rule list"); !r.ok()) return r;
  return await_replies("read the audit rule list", [&](const audit_reply& rep) {
    if (rep.type == NLMSG_DONE) return true;
    if (rep.type == AUDIT_LIST_RULES) {
      const char* begin = reinterpret_cast<const char*>(rep.ruledata);
      out.emplace_back(begin, begin + payload_size(rep));
    }
    return false;
  });
}

Result LibauditControl::list_rules(std::vector<AuditRule>& out) {
  std::vector<std::vector<char>> raw;
  if (auto r = list_raw_rules(raw); !r.ok()) return r;
  out.clear();
  for (const auto& payload : raw) {
    auto rule = decode_rule(*reinterpret_cast<const audit_rule_data*>(payload.data()), payload.size());
    if (!rule) return Result::failure("the kernel listed a malformed audit rule");
    out.push_back(std::move(*rule));
  }
  return Result::success();
}

Result LibauditControl::add_rule(const AuditRule& rule) {
  if (auto r = ensure_open(); !r.ok()) return r;
  std::string error;
  RuleData data = encode_rule(rule, error);
  if (!data) return Result::failure(error);
  drain_stale_replies();
  const int rc = audit_add_rule_data(fd_, data.get(), rule_add_flags(rule), rule_action(rule));
  if (rc >= 0) return Result::success();
  return Result::failure("add rule '" + rule.to_auditctl() +
                         "': " + (rc == -EEXIST ? "the rule is already loaded" : error_text(-rc)));
}

Result LibauditControl::delete_rule(const AuditRule& rule) {
  if (auto r = ensure_open(); !r.ok()) return r;
  std::string error;
  RuleData data = encode_rule(rule, error);
  if (!data) return Result::failure(error);
  drain_stale_replies();
  const int rc = audit_delete_rule_data(fd_, data.get(), rule_delete_flags(rule), rule_action(rule));
  if (rc >= 0) return Result::success();
  return Result::failure("delete rule '" + rule.to_auditctl() +
                         "': " + (rc == -ENOENT ? "no such rule is loaded" : error_text(-rc)));
}

Result LibauditControl::delete_rules_with_key_prefix(const std::string& prefix, std::size_t* deleted) {
  if (deleted) *deleted = 0;
  std::vector<std::vector<char>> raw;
  if (auto r = list_raw_rules(raw); !r.ok()) return r;
  std::string errors;
  for (auto& payload : raw) {
    auto* data = reinterpret_cast<audit_rule_data*>(payload.data());
    auto rule = decode_rule(*data, payload.size());
    if (!rule || rule->key.compare(0, prefix.size(), prefix) != 0) continue;
    // The listed payload is sent back as is: the kernel matches it exactly.
    drain_stale_replies();
    const int rc = audit_delete_rule_data(fd_, data, static_cast<int>(data->flags),
                                          static_cast<int>(data->action));
    if (rc >= 0) {
      if (deleted) ++*deleted;
    } else {
      if (!errors.empty()) errors += "; ";
      errors += "delete rule '" + rule->to_auditctl() + "': " + error_text(-rc);
    }
  }
  return errors.empty() ? Result::success() : Result::failure(errors);
}

}  // namespace cshield
