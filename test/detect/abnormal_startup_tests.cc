// abnormal_startup: the start alarm (findings in evidence, container of the
// start) and privilege_escalation (a set-uid gain in a container without
// no-new-privileges), from literal audit records.
#define BOOST_TEST_MODULE abnormal_startup
#include <boost/test/unit_test.hpp>

#include "detect/abnormal_startup.h"
#include "support/audit_text.h"

namespace cshield {
namespace {

using testing::one_event;

// `su` executed by uid 1000 and gaining euid 0.
const char* kSetuidExec =
    "type=SYSCALL msg=audit(1764175801.100:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 "
    "items=2 ppid=10 pid=11 auid=4294967295 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=1000 sgid=1000 "
    "fsgid=1000 tty=(none) ses=4294967295 comm=\"su\" exe=\"/bin/su\" key=\"cshield.privilege_escalation\"\n"
    "type=EOE msg=audit(1764175801.100:7): \n";

AbnormalStartupDetector detector() { return AbnormalStartupDetector({default_startup_policy(), {"/usr/sbin/runc"}}); }

std::vector<Alarm> evaluate(const EventContext& ctx) {
  std::vector<Alarm> out;
  detector().evaluate(ctx, out);
  return out;
}

ProcessInfo su_process() {
  ProcessInfo p;
  p.pid = 11;
  p.exe = "/bin/su";
  p.comm = "su";
  p.uid = 1000;
  p.euid = 0;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rules_watch_the_runtime_and_set_uid_gains) {
  const auto rules = detector().rules();
  BOOST_REQUIRE(rules.size() == 2u);
  BOOST_TEST(rules[0].to_auditctl() == "-a always,exit -F arch=b64 -S execve -F exe=/usr/sbin/runc -k cshield.abnormal_startup");
  BOOST_TEST(rules[1].to_auditctl() == "-a always,exit -S execve -F euid=0 -F uid!=0 -F success=1 -k cshield.privilege_escalation");
}

BOOST_AUTO_TEST_CASE(a_start_with_findings_is_one_alarm_about_its_container) {
  const auto ev = one_event(kSetuidExec);
  ProcessInfo runc;
  ContainerStart start;
  start.container.id = "web";
  start.container.bundle = "/b";
  start.posture.seccomp = false;
  start.posture.capabilities = {"CAP_KILL", "CAP_SYS_ADMIN"};
  const EventContext ctx{ev, runc, nullptr, &start, nullptr};
  const auto alarms = evaluate(ctx);
  BOOST_REQUIRE(alarms.size() == 1u);
  BOOST_TEST(alarms[0].type == "abnormal_startup");
  BOOST_TEST(alarms[0].subtype == "startup");
  BOOST_REQUIRE(alarms[0].container);
  BOOST_TEST(alarms[0].container->id == "web");
  BOOST_TEST(alarms[0].evidence_json ==
             R"({"findings":["capabilities:[CAP_SYS_ADMIN]","seccomp=unconfined"],"bundle":"/b","no_new_privileges":false})");
  BOOST_TEST(alarms[0].description.find("seccomp") != std::string::npos);

  start.posture.seccomp = true;
  start.posture.capabilities = {"CAP_KILL"};
  BOOST_TEST(evaluate(ctx).empty());
}

BOOST_AUTO_TEST_CASE(set_uid_gain_in_a_container_without_no_new_privileges) {
  const auto ev = one_event(kSetuidExec);
  const ProcessInfo p = su_process();
  ContainerInfo c;
  c.id = "web";
  const auto alarms = evaluate(EventContext{ev, p, &c});
  BOOST_REQUIRE(alarms.size() == 1u);
  BOOST_TEST(alarms[0].subtype == "privilege_escalation");
  BOOST_TEST(alarms[0].evidence_json.find(R"("findings":["no-new-privileges:false"])") != std::string::npos);

  ContainerPosture nnp;
  nnp.no_new_privileges = true;
  BOOST_TEST(evaluate(EventContext{ev, p, &c, nullptr, &nnp}).empty());
  BOOST_TEST(evaluate(EventContext{ev, p, nullptr}).empty());  // the host
  ProcessInfo same = p;
  same.uid = 0;
  BOOST_TEST(evaluate(EventContext{ev, same, &c}).empty());
}

BOOST_AUTO_TEST_CASE(wants_only_its_keys) {
  BOOST_TEST(detector().wants(one_event(kSetuidExec)));
  BOOST_TEST(!detector().wants(one_event(
      "type=SYSCALL msg=audit(1764175801.100:8): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 "
      "items=2 ppid=10 pid=11 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
      "comm=\"ls\" exe=\"/bin/ls\" key=(null)\ntype=EOE msg=audit(1764175801.100:8): \n")));
}

}  // namespace cshield
