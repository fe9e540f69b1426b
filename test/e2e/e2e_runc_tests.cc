#define BOOST_TEST_MODULE e2e_runc
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <sstream>

#include "audit_fixture.h"
#include "harness.h"

using namespace e2e;
using Poco::JSON::Object;

namespace {

constexpr auto kAlarmDeadline = std::chrono::seconds(2);

// Waits for the alarm matching `query` raised by a child of the container's
// init (host pid `init_pid`): the helper reports only its pid inside the
// container's pid namespace, so its parent identifies it on the host.
Object::Ptr await_alarm(const Daemon& d, const std::string& query, int init_pid) {
  Object::Ptr found;
  eventually(
      [&] {
        for (const auto& a : d.alarms(query))
          if (a->getObject("process")->getValue<int>("ppid") == init_pid) {
            found = a;
            return true;
          }
        return false;
      },
      kAlarmDeadline);
  if (!found) {
    const std::string all = alarms_text(d.alarms(""));
    std::ostringstream st;
    d.get("/api/v1/status")->getObject("counters")->stringify(st);
    BOOST_FAIL("no alarm for " << query << " within 2 s; counters: " << st.str() << "\nalarms:\n" << all << "daemon log:\n" << d.log());
  }
  return found;
}

using Fixture = AuditFree;

}  // namespace

BOOST_FIXTURE_TEST_CASE(runc_container_escapes_raise_alarms_and_the_kernel_is_restored, Fixture) {
  Daemon daemon("netlink");
  daemon.start();
  {
    auto status = daemon.get("/api/v1/status");
    BOOST_TEST(status->getValue<std::string>("mode") == "netlink");
    const auto during = AuditState::read();
    BOOST_TEST(during.pid != "0");
    BOOST_TEST(during.enabled == "1");
    BOOST_TEST(!during.cshield_rules().empty());
  }

  const std::string id = "cshield-e2e-" + std::to_string(::getpid());
  RuncContainer ctr(id, {{"/etc", "/hostetc"}});

  struct Expect {
    std::string attempt, type, subtype, syscall;
  };
  const std::vector<Expect> expected{
      {"ptrace", "high_risk_syscall", "ptrace", "ptrace"},
      {"setns", "high_risk_syscall", "setns", "setns"},
      {"reboot", "high_risk_syscall", "reboot", "reboot"},
      {"open_by_handle_at", "high_risk_syscall", "open_by_handle_at", "open_by_handle_at"},
      {"open_by_handle_at", "vulnerability_escape", "shocker", "open_by_handle_at"},
      {"read:/hostetc/shadow", "file_escape", "read", ""},
  };
  for (const auto& e : expected) {
    BOOST_TEST_CONTEXT(e.attempt) {
      ctr.run_helper(e.attempt);
      auto a = await_alarm(daemon, "type=" + e.type + "&subtype=" + e.subtype, ctr.init_pid());
      auto c = a->getObject("container");
      BOOST_REQUIRE(c);
      BOOST_TEST(c->getValue<std::string>("id") == id);
      BOOST_TEST(c->getValue<std::string>("runtime") == "runc");
      auto p = a->getObject("process");
      BOOST_TEST(p->getValue<std::string>("exe") == "/helper");
      BOOST_TEST(p->getValue<int>("pid") > ctr.init_pid());  // a host pid, not the container's
      if (!e.syscall.empty()) BOOST_TEST(a->getValue<std::string>("syscall") == e.syscall);
      if (e.type == "file_escape") {
        BOOST_TEST(a->getValue<std::string>("path") == "/hostetc/shadow");
        BOOST_TEST(a->getObject("evidence")->getValue<std::string>("host_path") == "/etc/shadow");
      }
    }
  }

  // Things that must raise nothing: the container's own /etc/shadow, runc's
  // own setns during `runc exec`, and the host making the same calls.
  ctr.run_helper("read:/etc/shadow");
  BOOST_TEST(ctr.exec("/bin/true").status == 0);
  BOOST_TEST(sh(helper_binary() + " ptrace setns reboot open_by_handle_at read:/etc/shadow").status == 0);
  // A sentinel after them: once its repeat has folded into the ptrace alarm,
  // every earlier event has been through the pipeline (one thread, in order).
  auto ptrace_count = [&] {
    auto found = daemon.alarms("type=high_risk_syscall&subtype=ptrace");
    return found.empty() ? 0 : found[0]->getValue<int>("count");
  };
  const int count_before = ptrace_count();
  ctr.run_helper("ptrace");
  BOOST_TEST(eventually([&] { return ptrace_count() > count_before; }, kAlarmDeadline));
  // The container's own start (runc spec has no seccomp profile) is an
  // abnormal_startup alarm of its own: e2e_startup_tests covers it.
  std::vector<Poco::JSON::Object::Ptr> all;
  for (const auto& a : daemon.alarms(""))
    if (a->getValue<std::string>("type") != "abnormal_startup") all.push_back(a);
  BOOST_TEST(all.size() == expected.size(), "alarms: " << all.size() << "\n" << alarms_text(all) << "log:\n" << daemon.log());
  for (const auto& a : all) {
    BOOST_TEST(a->getObject("container")->getValue<std::string>("id") == id);
    BOOST_TEST(a->getObject("process")->getValue<std::string>("exe") == "/helper");
  }
  auto ptrace = daemon.alarms("type=high_risk_syscall&subtype=ptrace");
  BOOST_REQUIRE_EQUAL(ptrace.size(), 1u);
  BOOST_TEST(ptrace[0]->getValue<int>("count") > count_before);  // repeats fold into one row

  BOOST_TEST(daemon.stop() == 0);
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == "0");
  BOOST_TEST(after.enabled == before.enabled);
  BOOST_TEST(after.backlog_limit == before.backlog_limit);
  BOOST_TEST(after.backlog_wait_time == before.backlog_wait_time);
  BOOST_TEST(after.cshield_rules().empty());
  BOOST_TEST(after.rules == before.rules, boost::test_tools::per_element());
}

// A container whose only process makes its calls and exits at once: gone
// before its cgroup can be read, its parent the runtime (`runc run`), right
// after the daemon loaded its rules (whose CONFIG_CHANGE records have no
// EOE). Each attempt must still be an alarm of that container.
static void check_short_lived_container_is_attributed(const std::string& extra_config, const std::string& name) {
  Daemon daemon("netlink", extra_config);
  daemon.start();
  TempDir bundle;
  build_rootfs(bundle.path() + "/rootfs");
  BOOST_REQUIRE(sh("cd " + sh_quote(bundle.path()) + " && runc spec").status == 0);
  BOOST_REQUIRE(sh("sed -i 's/\"terminal\": true/\"terminal\": false/; s/\"sh\"$/\"\\/helper\", \"ptrace\", \"reboot\"/' " +
                   sh_quote(bundle.path() + "/config.json")).status == 0);
  const std::string id = "cshield-e2e-" + name + "-" + std::to_string(::getpid());
  const auto run = sh("runc run --bundle " + sh_quote(bundle.path()) + " " + sh_quote(id) + " </dev/null");
  sh("runc delete -f " + sh_quote(id));
  BOOST_REQUIRE_MESSAGE(run.output.find("ptrace") != std::string::npos, run.output);
  for (const std::string subtype : {"ptrace", "reboot"}) {
    BOOST_TEST_CONTEXT(subtype) {
      Object::Ptr found;
      eventually([&] {
        auto all = daemon.alarms("type=high_risk_syscall&subtype=" + subtype);
        if (!all.empty()) found = all[0];
        return !found.isNull();
      }, kAlarmDeadline);
      BOOST_REQUIRE_MESSAGE(found, "no alarm; log:\n" << daemon.log());
      BOOST_TEST(found->getObject("container")->getValue<std::string>("id") == id);
      BOOST_TEST(found->getObject("process")->getValue<std::string>("exe") == "/helper");
    }
  }
  BOOST_TEST(daemon.stop() == 0);
}

// The reader reading at once (audit.read_delay_ms = 0).
BOOST_FIXTURE_TEST_CASE(a_short_lived_container_process_is_still_attributed, Fixture) {
  check_short_lived_container_is_attributed("[audit]\nread_delay_ms = 0\n", "short");
}

// The reader reading 50 ms late (audit.read_delay_ms; 10 by default): the
// container's process and `runc run` are gone when their records are
// worked; the runtime, placed at its own execve, still names the container.
BOOST_FIXTURE_TEST_CASE(a_short_lived_container_process_is_attributed_when_the_reader_reads_late, Fixture) {
  check_short_lived_container_is_attributed("[audit]\nread_delay_ms = 50\n", "short-late");
}
