// [node] root: the paths of the rules cshieldd loads, placed under the node's
// root as mounted in its own mount namespace, the keys untouched.
#include <boost/test/unit_test.hpp>

#include "rules/rule_builders.h"
#include "rules/rule_root.h"
#include "rules/rule_set.h"

using namespace cshield;
using cshield::testing::syscall_rule;
using cshield::testing::watch_rule;

BOOST_AUTO_TEST_SUITE(rule_root)

BOOST_AUTO_TEST_CASE(paths_go_under_the_root_and_come_back) {
  BOOST_TEST(path_under_root("/host", "/etc/shadow") == "/host/etc/shadow");
  BOOST_TEST(path_under_root("/host/", "/etc/shadow") == "/host/etc/shadow");
  BOOST_TEST(path_under_root("/host", "/") == "/host");
  BOOST_TEST(path_under_root("/", "/etc/shadow") == "/etc/shadow");
  BOOST_TEST(node_path_of("/host", "/host/etc/shadow") == "/etc/shadow");
  BOOST_TEST(node_path_of("/host", "/host") == "/");
  BOOST_TEST(node_path_of("/host", "/hostile/etc") == "");  // not under it
  BOOST_TEST(node_path_of("/", "/etc/shadow") == "/etc/shadow");
  BOOST_TEST(normal_node_root("/host//") == "/host");
  BOOST_TEST(normal_node_root("/") == "/");
}

BOOST_AUTO_TEST_CASE(watches_and_path_dir_exe_filters_are_placed_under_the_root_keys_are_not) {
  const auto w = rule_under_root(watch_rule("/etc/shadow", "rwa", "cshield.file_escape:/etc/shadow"), "/host");
  BOOST_TEST(w.to_auditctl() == "-w /host/etc/shadow -p rwa -k cshield.file_escape:/etc/shadow");
  const auto s = rule_under_root(
      syscall_rule({"connect"}, "cshield.vulnerability_escape:socket:/run/docker.sock", "b64", {"path=/run/docker.sock"}),
      "/host");
  BOOST_TEST(s.to_auditctl() ==
             "-a always,exit -F arch=b64 -S connect -F path=/host/run/docker.sock "
             "-k cshield.vulnerability_escape:socket:/run/docker.sock");
  const auto d = rule_under_root(syscall_rule({"openat"}, "cshield.v", "b64", {"dir=/proc", "a2&3"}), "/host");
  BOOST_TEST(d.to_auditctl() == "-a always,exit -F arch=b64 -S openat -F dir=/host/proc -F a2&3 -k cshield.v");
  const auto e = rule_under_root(
      syscall_rule({"execve"}, "cshield.abnormal_startup", "b64", {"exe=/usr/sbin/runc", "uid!=0"}), "/host");
  BOOST_TEST(e.to_auditctl() ==
             "-a always,exit -F arch=b64 -S execve -F exe=/host/usr/sbin/runc -F uid!=0 -k cshield.abnormal_startup");
  const auto n = rule_under_root(syscall_rule({"openat2"}, "cshield.v", "b64", {"exe!=/usr/sbin/runc"}), "/host");
  BOOST_TEST(n.fields == std::vector<std::string>{"exe!=/host/usr/sbin/runc"});
  // Fields that are not paths stay as they are.
  const auto p = rule_under_root(syscall_rule({"ptrace"}, "cshield.h", "b64", {"pid=42", "a1&3", "exit=-1"}), "/host");
  BOOST_TEST(p.fields == std::vector<std::string>({"pid=42", "a1&3", "exit=-1"}));
}

BOOST_AUTO_TEST_CASE(with_the_root_at_slash_every_rule_is_unchanged) {
  const std::vector<AuditRule> rules{watch_rule("/etc/shadow", "rwa", "cshield.fe"),
                                     syscall_rule({"execve"}, "cshield.as", "b64", {"exe=/usr/sbin/runc"}),
                                     syscall_rule({"openat"}, "cshield.v", "b64", {"dir=/proc", "a2&3"})};
  for (const auto& r : rules) {
    BOOST_TEST(rule_under_root(r, "/").to_auditctl() == r.to_auditctl());
    BOOST_TEST(rule_under_root(r, "").to_auditctl() == r.to_auditctl());
  }
  // --print-rules outside a pod: the same text as before [node] root existed.
  BOOST_TEST(RuleSet::build(rules, 0, "/").to_text() == RuleSet::build(rules, 0).to_text());
  BOOST_TEST(RuleSet::build(rules, 0).to_text().find("[node] root") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_rule_set_loads_and_prints_the_paths_under_the_root) {
  const auto set = RuleSet::build({watch_rule("/etc/shadow", "rwa", "cshield.file_escape:/etc/shadow"),
                                   watch_rule("/etc/shadow", "w", "cshield.file_escape:/etc/shadow"),
                                   syscall_rule({"execve"}, "cshield.as", "b64", {"exe=/usr/sbin/runc"})},
                                  77, "/host/");
  BOOST_REQUIRE_EQUAL(set.rules().size(), 3u);
  BOOST_TEST(set.rules()[0].to_auditctl() == "-a never,exit -F pid=77 -k cshield.self");
  BOOST_TEST(set.rules()[1].to_auditctl() == "-w /host/etc/shadow -p rwa -k cshield.file_escape:/etc/shadow");
  BOOST_TEST(set.rules()[2].to_auditctl() == "-a always,exit -F arch=b64 -S execve -F exe=/host/usr/sbin/runc -k cshield.as");
  const std::string text = set.to_text();
  BOOST_TEST(text.find("## The node's root is /host here ([node] root)") != std::string::npos, text);
  BOOST_TEST(text.find("\n-w /host/etc/shadow -p rwa -k cshield.file_escape:/etc/shadow\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()
