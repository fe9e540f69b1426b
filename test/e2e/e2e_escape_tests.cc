#define BOOST_TEST_MODULE e2e_escape
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <map>
#include <set>
#include <sstream>

#include "audit_fixture.h"
#include "harness.h"

using namespace e2e;
using Poco::JSON::Object;

// vulnerability_escape in real containers: each harmless reproduction in
// escape_helper.c raises its subtype, for the right container, within 2 s,
// and nothing else of that type; a busy ordinary workload raises none.

namespace {

constexpr auto kAlarmDeadline = std::chrono::seconds(2);

// vulnerability_escape alarms of the container `id`, by subtype.
std::map<std::string, Object::Ptr> escapes_of(const Daemon& d, const std::string& id) {
  std::map<std::string, Object::Ptr> out;
  for (const auto& a : d.alarms("type=vulnerability_escape"))
    if (a->getObject("container")->getValue<std::string>("id") == id) out[a->getValue<std::string>("subtype")] = a;
  return out;
}

Object::Ptr await_escape(const Daemon& d, const std::string& subtype, const std::string& id) {
  Object::Ptr found;
  eventually(
      [&] {
        auto all = escapes_of(d, id);
        auto it = all.find(subtype);
        if (it != all.end()) found = it->second;
        return !found.isNull();
      },
      kAlarmDeadline);
  BOOST_REQUIRE_MESSAGE(found, "no " << subtype << " alarm within 2 s; alarms:\n"
                                     << alarms_text(d.alarms("")) << "daemon log:\n" << d.log());
  return found;
}

int count_of(const Daemon& d, const std::string& query) {
  int n = 0;
  for (const auto& a : d.alarms(query)) n += a->getValue<int>("count");
  return n;
}

using Fixture = AuditFreeBeforeAndAfter;

}  // namespace

BOOST_FIXTURE_TEST_CASE(each_escape_attempt_in_a_runc_container_raises_exactly_its_subtype, Fixture) {
  Daemon daemon("netlink");
  daemon.start();
  const std::string id = "cshield-e2e-escape-" + std::to_string(::getpid());
  // The host's runc (with the libraries it needs to run), /proc/sys and
  // memory cgroup hierarchy mapped in (read-only).
  RuncContainer ctr(id, {{"/usr/sbin/runc", "/hostrunc"},
                         {"/lib64", "/lib64"},
                         {"/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"},
                         {"/proc/sys", "/hostsys"},
                         {"/sys/fs/cgroup/memory", "/hostcgroup"}});
  struct Attempt {
    std::string args, subtype, syscall;
  };
  const std::vector<Attempt> attempts{
      {"dirty_cow", "dirty_cow", "openat"},
      {"open_write:/hostrunc", "runc_overwrite", "openat"},
      {"open_by_handle_at", "shocker", "open_by_handle_at"},
      {"open_write:/hostcgroup/release_agent", "cgroup_release_agent", "openat"},
      {"open_write:/hostsys/kernel/core_pattern", "core_pattern", "openat"},
      {"finit_module:/helper", "kernel_module", "finit_module"},
  };
  std::set<std::string> expected;
  for (const auto& at : attempts) {
    BOOST_TEST_CONTEXT(at.args) {
      ctr.run_helper(at.args);
      auto a = await_escape(daemon, at.subtype, id);
      expected.insert(at.subtype);
      BOOST_TEST(a->getValue<std::string>("severity") == "critical");
      BOOST_TEST(a->getValue<std::string>("syscall") == at.syscall);
      BOOST_TEST(a->getObject("container")->getValue<std::string>("id") == id);
      BOOST_TEST(a->getObject("process")->getValue<std::string>("exe") == "/helper");
      BOOST_TEST(!a->getValue<std::string>("description").empty());
      BOOST_TEST(a->getObject("evidence")->has("exploit"));
      // Nothing but the subtypes tried so far.
      for (const auto& [subtype, alarm] : escapes_of(daemon, id))
        BOOST_TEST(expected.count(subtype) == 1u, subtype << " raised by " << at.args);
    }
  }
  // The Dirty COW primitive through openat2: its flags come from the OPENAT2 record.
  ctr.run_helper("openat2_mem");
  BOOST_TEST(eventually([&] {
    for (const auto& a : daemon.alarms("type=vulnerability_escape&subtype=dirty_cow&container=" + id))
      if (a->getValue<std::string>("syscall") == "openat2") return true;
    return false;
  }, kAlarmDeadline), "no dirty_cow for openat2; alarms:\n" << alarms_text(daemon.alarms("")));

  // The CVE-2019-5736 entry point: a container file starting "#!/proc/self/exe"
  // run by `runc exec`, so that runc's last stage executes the host runc. (The
  // busybox rootfs has no dynamic loader: the execution fails, the attempt counts.)
  const auto planted = ctr.exec("/bin/sh -c " + sh_quote("printf '#!/proc/self/exe\\n' >/tmp/evil && chmod +x /tmp/evil"));
  BOOST_REQUIRE_MESSAGE(planted.status == 0, planted.output);
  ctr.exec("/tmp/evil");
  BOOST_TEST(eventually([&] {
    for (const auto& a : daemon.alarms("type=vulnerability_escape&subtype=runc_overwrite&container=" + id))
      if (a->getValue<std::string>("path") == "/proc/self/exe" && a->getValue<std::string>("syscall") == "execve")
        return true;
    return false;
  }, kAlarmDeadline), "no runc_overwrite for executing /proc/self/exe; alarms:\n" << alarms_text(daemon.alarms("")));

  // The second CVE-2019-5736 form: /proc/<pid>/exe of a running runtime.
  ctr.run_helper("runtime_exe:/hostrunc");
  BOOST_TEST(eventually([&] {
    for (const auto& a : daemon.alarms("type=vulnerability_escape&subtype=runc_overwrite"))
      if (a->getValue<std::string>("path").find("/exe") != std::string::npos) return true;
    return false;
  }, kAlarmDeadline), "no runc_overwrite for /proc/<pid>/exe; alarms:\n" << alarms_text(daemon.alarms("")));

  auto runc = escapes_of(daemon, id).at("runc_overwrite");
  BOOST_TEST(runc->getObject("evidence")->getValue<std::string>("host_path") == "/usr/sbin/runc");
  BOOST_TEST(runc->getObject("evidence")->getValue<std::string>("cve") == "CVE-2019-5736");
  auto dirty = escapes_of(daemon, id).at("dirty_cow");
  BOOST_TEST(dirty->getValue<std::string>("path") == "/proc/self/mem");
  BOOST_TEST(dirty->getObject("evidence")->getValue<std::string>("flags") == "O_RDWR");

  // The high-risk row of open_by_handle_at names the shocker escape.
  auto high = daemon.alarms("type=high_risk_syscall&subtype=open_by_handle_at");
  BOOST_REQUIRE_EQUAL(high.size(), 1u);
  auto related = high[0]->getObject("evidence")->getObject("related");
  BOOST_REQUIRE(related);
  BOOST_TEST(related->getValue<std::string>("type") == "vulnerability_escape");
  BOOST_TEST(related->getValue<std::string>("subtype") == "shocker");

  // A sentinel: once its repeat is counted every earlier event has been
  // through the pipeline (one thread, in order); then nothing else appeared.
  const int modules = count_of(daemon, "type=vulnerability_escape&subtype=kernel_module");
  ctr.run_helper("finit_module:/helper");
  BOOST_TEST(eventually([&] { return count_of(daemon, "type=vulnerability_escape&subtype=kernel_module") > modules; },
                        kAlarmDeadline));
  std::set<std::string> raised;
  for (const auto& a : daemon.alarms("type=vulnerability_escape")) {
    raised.insert(a->getValue<std::string>("subtype"));
    BOOST_TEST(a->getObject("container")->getValue<std::string>("id") == id);
  }
  BOOST_TEST(raised == expected, "raised:\n" << alarms_text(daemon.alarms("type=vulnerability_escape")));
  BOOST_TEST(daemon.stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(repeated_refused_setuid_is_brute_force_and_a_busy_workload_raises_nothing, Fixture) {
  Daemon daemon("netlink");
  daemon.start();
  const std::string id = "cshield-e2e-brute-" + std::to_string(::getpid());
  // The host's compiler mapped in (read-only) for an ordinary build.
  RuncContainer ctr(id, {{"/usr", "/usr"}, {"/lib64", "/lib64"}, {"/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"}});
  // An ordinary busy workload first: shell loops, cat, ls, small writes, a
  // compiler run (cc1, as, ld: temporary files, the output written), malloc churn.
  const auto work = ctr.exec(
      "/bin/sh -c " + sh_quote("i=0; while [ $i -lt 300 ]; do cat /etc/passwd >/dev/null; ls / >/dev/null; "
                               "echo $i >/tmp/n; cat /tmp/n >/dev/null; i=$((i+1)); done"));
  BOOST_REQUIRE_MESSAGE(work.status == 0, work.output);
  const auto build = ctr.exec(
      "/bin/sh -c " + sh_quote("export PATH=/usr/bin:/bin TMPDIR=/tmp; cd /tmp && "
                               "printf '#include <stdio.h>\\nint main(void){puts(\"built\");return 0;}\\n' >hello.c && "
                               "gcc -O2 -o hello hello.c && ./hello"));
  BOOST_REQUIRE_MESSAGE(build.status == 0 && build.output.find("built") != std::string::npos, build.output);
  ctr.run_helper("malloc_churn");
  // Ten refused setuid calls (eleven without CAP_SETUID): two windows of five.
  ctr.run_helper("setuid_fail:10");
  auto a = await_escape(daemon, "brute_force", id);
  BOOST_TEST(a->getObject("container")->getValue<std::string>("id") == id);
  BOOST_TEST(a->getValue<std::string>("syscall") == "setuid");
  BOOST_TEST(a->getObject("evidence")->getValue<int>("attempts") == 5);
  BOOST_TEST(eventually([&] { return count_of(daemon, "type=vulnerability_escape&subtype=brute_force") == 2; },
                        kAlarmDeadline));
  // The brute-force alarms came after the workload's events: no other escape.
  // (Nor a high-risk call: the build and the churn make none.)
  BOOST_TEST(daemon.alarms("type=high_risk_syscall&container=" + id).empty(), alarms_text(daemon.alarms("")));
  const auto all = daemon.alarms("type=vulnerability_escape");
  BOOST_TEST(all.size() == 1u, "alarms:\n" << alarms_text(all));
  BOOST_TEST(daemon.stop() == 0);
}

BOOST_FIXTURE_TEST_CASE(a_connect_to_a_mapped_docker_socket_is_runtime_socket, Fixture) {
  BOOST_REQUIRE_MESSAGE(sh("docker info").status == 0, "dockerd is not running (tools/dev test starts it)");
  Daemon daemon("netlink");
  daemon.start();
  const std::string name = "cshield-e2e-socket-" + std::to_string(::getpid());
  DockerContainer ctr(name, "-v /run/docker.sock:/var/run/docker.sock");
  ctr.run_helper("connect:/var/run/docker.sock");
  auto a = await_escape(daemon, "runtime_socket", ctr.id());
  BOOST_TEST(a->getObject("container")->getValue<std::string>("id") == ctr.id());
  BOOST_TEST(a->getValue<std::string>("syscall") == "connect");
  BOOST_TEST(a->getValue<std::string>("path") == "/var/run/docker.sock");
  BOOST_TEST(a->getObject("evidence")->getValue<std::string>("host_path") == "/run/docker.sock");
  BOOST_TEST(escapes_of(daemon, ctr.id()).size() == 1u, alarms_text(daemon.alarms("")));
  BOOST_TEST(daemon.stop() == 0);
}
