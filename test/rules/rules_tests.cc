#define BOOST_TEST_MODULE rules
#include <boost/test/unit_test.hpp>

#include <libaudit.h>

#include "rules/fake_audit_control.h"
#include "rules/rule_codec.h"
#include "rules/rule_manager.h"
#include "rules/rule_set.h"
#include "rules/rule_builders.h"

using namespace cshield;
using cshield::testing::FakeAuditControl;
using cshield::testing::syscall_rule;
using cshield::testing::watch_rule;

namespace {

AuditRule round_trip(const AuditRule& rule) {
  std::string error;
  RuleData data = encode_rule(rule, error);
  BOOST_REQUIRE_MESSAGE(data, error);
  auto decoded = decode_rule(*data, rule_data_size(*data));
  BOOST_REQUIRE(decoded);
  return *decoded;
}

std::string encode_error(const AuditRule& rule) {
  std::string error;
  BOOST_TEST(!encode_rule(rule, error));
  return error;
}

}  // namespace

BOOST_AUTO_TEST_CASE(audit_rules_print_in_auditctl_syntax) {
  BOOST_TEST(syscall_rule({"ptrace", "setns"}, "cshield.high_risk_syscall", "b64").to_auditctl() ==
             "-a always,exit -F arch=b64 -S ptrace,setns -k cshield.high_risk_syscall");
  BOOST_TEST(syscall_rule({"openat"}, "cshield.dirty_cow", "b64", {"dir=/proc", "a2&3"}).to_auditctl() ==
             "-a always,exit -F arch=b64 -S openat -F dir=/proc -F a2&3 -k cshield.dirty_cow");
  BOOST_TEST(watch_rule("/etc/shadow", "rwa", "cshield.file_escape").to_auditctl() ==
             "-w /etc/shadow -p rwa -k cshield.file_escape");
}

BOOST_AUTO_TEST_CASE(rule_set_puts_self_exclusion_and_never_rules_first) {
  AuditRule never = syscall_rule({"ptrace"}, "cshield.quiet", "b64", {"uid=0"});
  never.action = "never";
  const auto set = RuleSet::build({syscall_rule({"ptrace"}, "cshield.a", "b64"), never}, 4242);
  BOOST_REQUIRE(set.rules().size() == 3u);
  BOOST_TEST(set.rules()[0].to_auditctl() == "-a never,exit -F pid=4242 -k cshield.self");
  BOOST_TEST(set.rules()[1].to_auditctl() == "-a never,exit -F arch=b64 -S ptrace -F uid=0 -k cshield.quiet");
  BOOST_TEST(set.rules()[2].to_auditctl() == "-a always,exit -F arch=b64 -S ptrace -k cshield.a");
  BOOST_TEST(set.warnings().empty());
  BOOST_TEST(RuleSet::build({}, 0).rules().empty());  // no pid: no self rule (rules.d output)
}

BOOST_AUTO_TEST_CASE(rule_set_splits_arches_and_drops_syscalls_missing_on_b32) {
  const auto set = RuleSet::build({syscall_rule({"ptrace", "kexec_file_load"}, "cshield.hr"),
                                   syscall_rule({"kexec_file_load"}, "cshield.only64", "both"),
                                   syscall_rule({"kexec_load"}, "cshield.kexec")},
                                  0);
  std::vector<std::string> text;
  for (const auto& r : set.rules()) text.push_back(r.to_auditctl());
  const std::vector<std::string> expected = {
      "-a always,exit -F arch=b64 -S ptrace,kexec_file_load -k cshield.hr",
      "-a always,exit -F arch=b32 -S ptrace -k cshield.hr",
      // kexec_file_load alone: no b32 rule at all
      "-a always,exit -F arch=b64 -S kexec_file_load -k cshield.only64",
      "-a always,exit -F arch=b64 -S kexec_load -k cshield.kexec",
      // libaudit's i386 table calls it sys_kexec_load
      "-a always,exit -F arch=b32 -S sys_kexec_load -k cshield.kexec",
  };
  BOOST_TEST(text == expected, boost::test_tools::per_element());
  BOOST_TEST(set.warnings().empty());
}

BOOST_AUTO_TEST_CASE(rule_set_merges_rules_that_differ_only_in_syscalls_and_watch_perms) {
  const auto set = RuleSet::build({syscall_rule({"ptrace"}, "cshield.hr", "b64"),
                                   syscall_rule({"setns", "ptrace"}, "cshield.hr", "b64"),
                                   syscall_rule({"setns"}, "cshield.other", "b64"),
                                   syscall_rule({"setns"}, "cshield.hr", "b64", {"uid=0"}),
                                   watch_rule("/etc/shadow", "r", "cshield.fe"),
                                   watch_rule("/etc/shadow", "wa", "cshield.fe"),
                                   watch_rule("/etc/shadow", "w", "cshield.other")},
                                  0);
  std::vector<std::string> text;
  for (const auto& r : set.rules()) text.push_back(r.to_auditctl());
  const std::vector<std::string> expected = {
      "-a always,exit -F arch=b64 -S ptrace,setns -k cshield.hr",
      "-a always,exit -F arch=b64 -S setns -k cshield.other",
      "-a always,exit -F arch=b64 -S setns -F uid=0 -k cshield.hr",
      "-w /etc/shadow -p rwa -k cshield.fe",
      "-w /etc/shadow -p w -k cshield.other",
  };
  BOOST_TEST(text == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rule_set_leaves_out_bad_requests_with_warnings) {
  const auto set = RuleSet::build({syscall_rule({"ptrace"}, "not-ours", "b64"),
                                   syscall_rule({"no_such_call", "ptrace"}, "cshield.x", "b64"),
                                   syscall_rule({"ptrace"}, "cshield.y", "pdp11")},
                                  0);
  BOOST_REQUIRE(set.rules().size() == 1u);
  BOOST_TEST(set.rules()[0].to_auditctl() == "-a always,exit -F arch=b64 -S ptrace -k cshield.x");
  BOOST_REQUIRE(set.warnings().size() == 3u);
  BOOST_TEST(set.warnings()[0].find("must start with \"cshield.\"") != std::string::npos);
  BOOST_TEST(set.warnings()[1].find("no syscall 'no_such_call' on b64") != std::string::npos);
  BOOST_TEST(set.warnings()[2].find("unknown arch 'pdp11'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rule_set_text_is_auditctl_rules_with_a_header) {
  const auto set = RuleSet::build({syscall_rule({"ptrace"}, "cshield.hr"), watch_rule("/etc/shadow", "r", "cshield.fe"),
                                   syscall_rule({"ptrace"}, "bad")},
                                  77);
  const std::string expected =
      "## cshield audit rules (cshieldd --print-rules). Every key starts with \"cshield.\";\n"
      "## cshieldd loads these itself and removes them on stop.\n"
      "-a never,exit -F pid=77 -k cshield.self\n"
      "-a always,exit -F arch=b64 -S ptrace -k cshield.hr\n"
      "-a always,exit -F arch=b32 -S ptrace -k cshield.hr\n"
      "-w /etc/shadow -p r -k cshield.fe\n"
      "## left out: '-a always,exit -S ptrace -k bad': the key must start with \"cshield.\"\n";
  BOOST_TEST(set.to_text() == expected);
}

BOOST_AUTO_TEST_CASE(rules_encode_and_decode_without_loss) {
  const std::vector<AuditRule> rules = {
      syscall_rule({"ptrace", "setns"}, "cshield.hr", "b64"),
      syscall_rule({"ptrace", "setns"}, "cshield.hr", "b32"),
      syscall_rule({"openat"}, "cshield.dirty_cow", "b64", {"dir=/proc", "a2&3"}),
      syscall_rule({"execve"}, "cshield.x", "b64", {"auid>=1000", "auid!=unset", "exit=-13", "euid=0"}),
      RuleSet::build({}, 1234).rules().at(0),
      watch_rule("/nonexistent/cshield/file", "wa", "cshield.w"),
      watch_rule("/tmp", "rwxa", "cshield.dir"),  // a directory: AUDIT_DIR
  };
  for (const auto& rule : rules) BOOST_TEST(round_trip(rule).to_auditctl() == rule.to_auditctl());
  BOOST_TEST(round_trip(watch_rule("/tmp/", "w", "cshield.d")).path == "/tmp");
  BOOST_TEST(round_trip(watch_rule("/etc/passwd", "", "cshield.all")).perms == "rwxa");  // libaudit's default
}

BOOST_AUTO_TEST_CASE(never_rules_are_prepended) {
  AuditRule never = RuleSet::build({}, 1).rules().at(0);
  BOOST_TEST((rule_add_flags(never) & AUDIT_FILTER_PREPEND) != 0);
  BOOST_TEST(rule_action(never) == AUDIT_NEVER);
  const AuditRule always = syscall_rule({"ptrace"}, "cshield.x", "b64");
  BOOST_TEST(rule_add_flags(always) == AUDIT_FILTER_EXIT);
  BOOST_TEST(rule_action(always) == AUDIT_ALWAYS);
}

BOOST_AUTO_TEST_CASE(encoding_errors_name_the_rule_and_the_reason) {
  std::string e = encode_error(syscall_rule({"kexec_file_load"}, "cshield.k", "b32"));
  BOOST_TEST(e == "rule '-a always,exit -F arch=b32 -S kexec_file_load -k cshield.k': no syscall 'kexec_file_load' on b32");
  e = encode_error(watch_rule("etc/shadow", "r", "cshield.w"));
  BOOST_TEST(e.find("must be absolute") != std::string::npos);
  e = encode_error(watch_rule("/etc/shadow", "rq", "cshield.w"));
  BOOST_TEST(e.find("subset of rwxa") != std::string::npos);
  e = encode_error(syscall_rule({"ptrace"}, "cshield.f", "b64", {"nosuchfield=1"}));
  BOOST_TEST(e.find("field 'nosuchfield=1' is not valid") != std::string::npos);
  e = encode_error(syscall_rule({"ptrace"}, std::string("cshield.") + std::string(300, 'k'), "b64"));
  BOOST_TEST(e.find("key longer than 256 bytes") != std::string::npos);
  AuditRule odd = syscall_rule({"ptrace"}, "cshield.o", "b64");
  odd.action = "sometimes";
  BOOST_TEST(encode_error(odd).find("action must be always or never") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(decode_rejects_truncated_payloads) {
  std::string error;
  RuleData data = encode_rule(watch_rule("/etc/shadow", "r", "cshield.w"), error);
  BOOST_REQUIRE(data);
  BOOST_TEST(!decode_rule(*data, rule_data_size(*data) - 1));
  BOOST_TEST(!decode_rule(*data, 10));
}

BOOST_AUTO_TEST_CASE(rule_manager_replaces_leftovers_and_collects_failures) {
  FakeAuditControl control;
  const AuditRule foreign = syscall_rule({"ptrace"}, "admin.rule", "b64");
  control.rules = {foreign, syscall_rule({"ptrace"}, "cshield.stale", "b64")};
  control.failing_keys = {"cshield.broken"};
  const auto set = RuleSet::build({syscall_rule({"ptrace"}, "cshield.hr", "b64"),
                                   syscall_rule({"setns"}, "cshield.broken", "b64"),
                                   watch_rule("/etc/shadow", "r", "cshield.fe")},
                                  99);
  RuleManager manager(control);
  const ApplyReport report = manager.apply(set);
  BOOST_TEST(report.removed == 1u);
  BOOST_TEST(report.added == 3u);
  BOOST_REQUIRE(report.errors.size() == 1u);
  BOOST_TEST(report.errors[0].find("cshield.broken") != std::string::npos);
  BOOST_TEST(!report.ok());
  BOOST_REQUIRE(control.rules.size() == 4u);
  BOOST_TEST((control.rules[0] == foreign));
  BOOST_TEST(control.rules[1].key == "cshield.self");

  BOOST_TEST(manager.remove_all().ok());
  BOOST_REQUIRE(control.rules.size() == 1u);
  BOOST_TEST((control.rules[0] == foreign));  // never touches rules that are not cshield's
}

BOOST_AUTO_TEST_CASE(status_guard_restores_only_what_changed) {
  FakeAuditControl control;
  control.kernel.enabled = 0;
  control.kernel.backlog_limit = 64;
  control.kernel.backlog_wait_time = 15000;
  {
    AuditStatusGuard guard(control);
    BOOST_TEST(guard.save().ok());
    control.set_enabled(1);
    control.set_backlog_limit(8192);
    control.calls.clear();
  }  // the destructor restores
  BOOST_TEST(control.kernel.enabled == 0u);
  BOOST_TEST(control.kernel.backlog_limit == 64u);
  BOOST_TEST(control.kernel.backlog_wait_time == 15000u);
  const std::vector<std::string> calls = {"backlog_limit=64", "enabled=0"};
  BOOST_TEST(control.calls == calls, boost::test_tools::per_element());

  AuditStatusGuard unsaved(control);
  control.calls.clear();
  BOOST_TEST(unsaved.restore().ok());  // nothing saved: nothing to do
  BOOST_TEST(control.calls.empty());
}
