// Privileged: loads rules into the kernel and reads them back. Each test
// restores the kernel's audit rules and status on exit.
#define BOOST_TEST_MODULE rules_kernel
#include <boost/test/unit_test.hpp>

#include <libaudit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/own_record_types.h"
#include "rules/kernel_state_guard.h"
#include "rules/rule_manager.h"
#include "rules/rule_set.h"
#include "rules/rule_builders.h"

using namespace cshield;
using testing::KernelStateGuard;
using cshield::testing::syscall_rule;
using cshield::testing::watch_rule;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char name[] = "/tmp/cshield-rules-test-XXXXXX";
    BOOST_REQUIRE(mkdtemp(name));
    path = name;
    std::ofstream(path / "file") << "x";
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::vector<std::string> cshield_rules_text(AuditControl& control) {
  std::vector<AuditRule> rules;
  const Result r = control.list_rules(rules);
  BOOST_TEST(r.ok(), r.error());
  std::vector<std::string> text;
  for (const auto& rule : rules)
    if (rule.key.rfind(kRuleKeyPrefix, 0) == 0) text.push_back(rule.to_auditctl());
  return text;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(kernel, KernelStateGuard)

BOOST_AUTO_TEST_CASE(rules_read_back_as_they_were_added_and_delete_exactly) {
  TempDir dir;
  const std::vector<AuditRule> rules = {
      syscall_rule({"ptrace", "setns"}, "cshield.t.hr", "b64"),
      syscall_rule({"ptrace", "setns"}, "cshield.t.hr", "b32"),
      syscall_rule({"openat"}, "cshield.t.cow", "b64", {"dir=/proc", "a2&3"}),
      syscall_rule({"execve"}, "cshield.t.ids", "b64", {"auid>=1000", "auid!=unset"}),
      watch_rule((dir.path / "file").string(), "wa", "cshield.t.file"),
      watch_rule(dir.path.string(), "r", "cshield.t.dir"),
  };
  for (const auto& rule : rules) {
    const Result r = control.add_rule(rule);
    BOOST_TEST(r.ok(), r.error());
  }
  std::vector<std::string> expected;
  for (const auto& rule : rules) expected.push_back(rule.to_auditctl());
  BOOST_TEST(cshield_rules_text(control) == expected, boost::test_tools::per_element());

  const Result duplicate = control.add_rule(rules[0]);
  BOOST_TEST(!duplicate.ok());
  BOOST_TEST(duplicate.error() == "add rule '" + rules[0].to_auditctl() + "': the rule is already loaded");

  for (const auto& rule : rules) {
    const Result r = control.delete_rule(rule);
    BOOST_TEST(r.ok(), r.error());
  }
  BOOST_TEST(cshield_rules_text(control).empty());
  const Result missing = control.delete_rule(rules[0]);
  BOOST_TEST(missing.error() == "delete rule '" + rules[0].to_auditctl() + "': no such rule is loaded");
}

// The shapes vulnerability_escape asks for: flag ranges, a path filter on a
// syscall rule, exit codes. They must read back equal, or every reload would
// remove and re-add them.
BOOST_AUTO_TEST_CASE(argument_ranges_path_filters_and_exit_codes_read_back_as_added) {
  TempDir dir;
  const std::vector<AuditRule> rules = {
      syscall_rule({"openat"}, "cshield.t.flags", "b64", {"a2&3", "a2<64"}),
      syscall_rule({"open"}, "cshield.t.flags", "b32", {"a1&3", "a1>=524288", "a1<524352"}),
      syscall_rule({"connect", "openat"}, "cshield.t.sock", "b64", {"path=" + (dir.path / "file").string()}),
      syscall_rule({"setuid", "setns"}, "cshield.t.eperm", "b64", {"exit=-1"}),
      syscall_rule({"setuid", "setns"}, "cshield.t.eacces", "b64", {"exit=-13"}),
  };
  for (const auto& rule : rules) {
    const Result r = control.add_rule(rule);
    BOOST_TEST(r.ok(), r.error());
  }
  std::vector<std::string> expected;
  for (const auto& rule : rules) expected.push_back(rule.to_auditctl());
  BOOST_TEST(cshield_rules_text(control) == expected, boost::test_tools::per_element());
  for (const auto& rule : rules) BOOST_TEST(control.delete_rule(rule).ok());
}

BOOST_AUTO_TEST_CASE(rule_manager_applies_a_rule_set_and_removes_only_cshield_rules) {
  const AuditRule foreign = syscall_rule({"ptrace"}, std::string(testing::kForeignTestKeyPrefix) + "foreign", "b64");
  BOOST_REQUIRE(control.add_rule(foreign).ok());
  BOOST_REQUIRE(control.add_rule(syscall_rule({"setns"}, "cshield.t.stale", "b64")).ok());

  AuditRule never = syscall_rule({"ptrace"}, "cshield.t.quiet", "", {"uid=4242"});
  never.action = "never";
  const auto set = RuleSet::build({syscall_rule({"kexec_load", "kexec_file_load"}, "cshield.t.kexec"), never,
                                   watch_rule("/etc/shadow", "r", "cshield.t.shadow")},
                                  getpid());
  RuleManager manager(control);
  const ApplyReport report = manager.apply(set);
  BOOST_TEST(report.ok());
  for (const auto& e : report.errors) BOOST_TEST_MESSAGE(e);
  BOOST_TEST(report.removed == 1u);
  BOOST_TEST(report.added == set.rules().size());

  std::vector<AuditRule> listed;
  BOOST_REQUIRE(control.list_rules(listed).ok());
  // never rules are prepended: they come before every always rule, the
  // foreign one included.
  BOOST_REQUIRE(listed.size() >= set.rules().size() + 1);
  BOOST_TEST(listed[0].action == "never");
  BOOST_TEST(listed[1].action == "never");
  BOOST_TEST(listed[2].action == "never");
  const auto self = std::find_if(listed.begin(), listed.end(), [](const AuditRule& r) { return r.key == "cshield.self"; });
  BOOST_REQUIRE(self != listed.end());
  BOOST_TEST(self->fields == std::vector<std::string>{"pid=" + std::to_string(getpid())});
  std::vector<std::string> expected;
  for (const auto& rule : set.rules()) expected.push_back(rule.to_auditctl());
  std::vector<std::string> loaded = cshield_rules_text(control);
  std::sort(expected.begin(), expected.end());
  std::sort(loaded.begin(), loaded.end());
  BOOST_TEST(loaded == expected, boost::test_tools::per_element());

  const Result removed = manager.remove_all();
  BOOST_TEST(removed.ok(), removed.error());
  BOOST_TEST(cshield_rules_text(control).empty());
  BOOST_REQUIRE(control.list_rules(listed).ok());
  BOOST_TEST(std::count(listed.begin(), listed.end(), foreign) == 1);
}

BOOST_AUTO_TEST_CASE(status_setters_take_effect_and_are_restored) {
  AuditStatusGuard guard(control);
  BOOST_REQUIRE(guard.save().ok());
  BOOST_REQUIRE(control.set_enabled(before.enabled == 1 ? 0 : 1).ok());
  BOOST_REQUIRE(control.set_backlog_limit(before.backlog_limit + 7).ok());
  BOOST_REQUIRE(control.set_backlog_wait_time(before.backlog_wait_time + 11).ok());
  AuditStatus changed;
  BOOST_REQUIRE(control.status(changed).ok());
  BOOST_TEST(changed.enabled == (before.enabled == 1 ? 0u : 1u));
  BOOST_TEST(changed.backlog_limit == before.backlog_limit + 7);
  BOOST_TEST(changed.backlog_wait_time == before.backlog_wait_time + 11);
  const Result restored = guard.restore();
  BOOST_TEST(restored.ok(), restored.error());
  AuditStatus after;
  BOOST_REQUIRE(control.status(after).ok());
  BOOST_TEST(after.enabled == before.enabled);
  BOOST_TEST(after.backlog_limit == before.backlog_limit);
  BOOST_TEST(after.backlog_wait_time == before.backlog_wait_time);
}

// The wake record must enter the kernel's audit queue (that is what makes
// the audit thread run and wake a waiter): a reader of the audit multicast
// group sees it.
BOOST_AUTO_TEST_CASE(a_backlog_wake_record_enters_the_audit_stream) {
  AuditStatusGuard guard(control);
  BOOST_REQUIRE(guard.save().ok());
  BOOST_REQUIRE(control.set_enabled(1).ok());
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);

  const Result r = control.write_backlog_wake_record();
  BOOST_TEST(r.ok(), r.error());
  bool seen = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[MAX_AUDIT_MESSAGE_LENGTH];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < static_cast<ssize_t>(NLMSG_HDRLEN)) continue;
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf);
    const std::string text(buf + NLMSG_HDRLEN, static_cast<std::size_t>(n) - NLMSG_HDRLEN);
    seen = nlh->nlmsg_type == kBacklogWakeRecordType && text.find("op=cshield-backlog-wake") != std::string::npos &&
           text.find("pid=" + std::to_string(::getpid())) != std::string::npos;
  }
  ::close(fd);
  BOOST_TEST(seen);
  BOOST_TEST(guard.restore().ok());
}

BOOST_AUTO_TEST_SUITE_END()
