// Privileged end-to-end tests of abnormal_startup: the real cshieldd, kernel
// audit, runc and Docker. Each container start yields one alarm with exactly
// the expected findings within 2 seconds; a start without findings yields
// none; a restart of cshieldd while containers run neither misses a start
// made while it was down nor alarms twice for one it had judged.
#define BOOST_TEST_MODULE e2e_startup
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

#include "enrich/oci_posture.h"
#include "harness.h"

using namespace e2e;
using Findings = std::vector<std::string>;

namespace {

constexpr auto kWithin = std::chrono::seconds(2);
const std::string kSetuidImage = "cshield-e2e-busybox-setuid:latest";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Findings findings_of(const Poco::JSON::Object::Ptr& alarm) {
  Findings out;
  auto arr = alarm->getObject("evidence")->getArray("findings");
  for (std::size_t i = 0; arr && i < arr->size(); ++i) out.push_back(arr->getElement<std::string>(i));
  return out;
}

std::vector<Poco::JSON::Object::Ptr> startup_alarms(const Daemon& d, const std::string& container) {
  return d.alarms("type=abnormal_startup&subtype=startup&container=" + container);
}

// Waits for the one startup alarm of `container` and returns its findings.
Findings await_findings(const Daemon& d, const std::string& container) {
  std::vector<Poco::JSON::Object::Ptr> alarms;
  const bool seen = eventually([&] { return !(alarms = startup_alarms(d, container)).empty(); }, kWithin);
  BOOST_REQUIRE_MESSAGE(seen, "no abnormal_startup alarm for " << container << " within 2 s\n" << d.log());
  BOOST_TEST(alarms.size() == 1u);
  BOOST_TEST(alarms.front()->getValue<int>("count") == 1);
  return findings_of(alarms.front());
}

void import_image() {
  TempDir root;
  build_rootfs(root.path());
  auto r = sh("tar -C " + sh_quote(root.path()) + " -c . | docker import - " + DockerContainer::image());
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  // The same with a set-uid-root `id` (busybox named id) at /priv/id.
  r = sh("set -e; cd " + sh_quote(root.path()) + "; mkdir -p priv; cp bin/busybox priv/id; chmod 4755 priv/id; " +
         "tar -c . | docker import - " + kSetuidImage);
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
}

// A detached Docker container running sleep; removed at scope end.
class Docker {
 public:
  Docker(const std::string& name, const std::string& args, const std::string& command = "/bin/sleep 600",
         const std::string& image = DockerContainer::image())
      : name_(name) {
    sh("docker rm -f " + name_ + " >/dev/null 2>&1");
    auto r = sh("docker run -d --network none --name " + name_ + " " + args + " " + image + " " + command);
    if (r.status != 0) throw std::runtime_error("docker run: " + r.output);
    id_ = r.output.substr(0, r.output.find_first_of("\r\n"));
  }
  ~Docker() { sh("docker rm -f " + name_ + " >/dev/null 2>&1"); }
  const std::string& id() const { return id_; }

 private:
  std::string name_, id_;
};

// A runc container from `runc spec`, edited by `edit`, running sleep.
class Runc {
 public:
  Runc(const std::string& id, const std::function<void(Poco::JSON::Object::Ptr&)>& edit) : id_(id) {
    const std::string bundle = dir_.path() + "/bundle";
    build_rootfs(bundle + "/rootfs");
    auto r = sh("cd " + sh_quote(bundle) + " && runc spec");
    if (r.status != 0) throw std::runtime_error("runc spec: " + r.output);
    Poco::JSON::Parser parser;
    auto spec = parser.parse(read_text(bundle + "/config.json")).extract<Poco::JSON::Object::Ptr>();
    auto process = spec->getObject("process");
    process->set("terminal", false);
    Poco::JSON::Array::Ptr args = new Poco::JSON::Array;
    args->add("/bin/sleep");
    args->add("600");
    process->set("args", args);
    edit(spec);
    std::ostringstream out;
    spec->stringify(out, 2);
    std::ofstream(bundle + "/config.json") << out.str();
    sh("runc delete -f " + sh_quote(id_) + " >/dev/null 2>&1");
    r = sh("runc run -d --bundle " + sh_quote(bundle) + " " + sh_quote(id_) + " </dev/null >/dev/null");
    if (r.status != 0) throw std::runtime_error("runc run: " + r.output);
  }
  ~Runc() { sh("runc kill " + sh_quote(id_) + " KILL >/dev/null 2>&1; runc delete -f " + sh_quote(id_)); }

 private:
  TempDir dir_;
  std::string id_;
};

Poco::JSON::Array::Ptr strings(const std::vector<std::string>& items) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const auto& i : items) a->add(i);
  return a;
}

void set_capabilities(Poco::JSON::Object::Ptr& spec, const std::vector<std::string>& caps) {
  Poco::JSON::Object::Ptr c = new Poco::JSON::Object;
  for (const char* set : {"bounding", "effective", "permitted"}) c->set(set, strings(caps));
  spec->getObject("process")->set("capabilities", c);
}

// A profile that refuses one call: confining, so seccomp=unconfined is not a finding.
void confine(Poco::JSON::Object::Ptr& spec) {
  Poco::JSON::Parser parser;
  spec->getObject("linux")->set(
      "seccomp", parser.parse(R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],)"
                              R"("syscalls":[{"names":["kexec_load"],"action":"SCMP_ACT_ERRNO"}]})"));
}

void bind(Poco::JSON::Object::Ptr& spec, const std::string& source, const std::string& destination) {
  Poco::JSON::Object::Ptr m = new Poco::JSON::Object;
  m->set("destination", destination);
  m->set("type", "bind");
  m->set("source", source);
  m->set("options", strings({"rbind", "ro"}));
  spec->getArray("mounts")->add(m);
}

struct Fixture {
  Fixture() {
    BOOST_REQUIRE_MESSAGE(sh("docker info >/dev/null").status == 0, "dockerd is not running");
    import_image();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(startup, Fixture)

BOOST_AUTO_TEST_CASE(docker_options_yield_exactly_their_findings) {
  Daemon d("netlink");
  d.start();
  {
    Docker c("cshield-st-capadd", "--cap-add SYS_ADMIN");
    BOOST_TEST(await_findings(d, c.id()) == Findings{"capabilities:[CAP_SYS_ADMIN]"}, boost::test_tools::per_element());
  }
  {
    Docker c("cshield-st-seccomp", "--security-opt seccomp=unconfined");
    BOOST_TEST(await_findings(d, c.id()) == Findings{"seccomp=unconfined"}, boost::test_tools::per_element());
  }
  {
    Docker c("cshield-st-etc", "-v /etc:/hostetc");
    BOOST_TEST(await_findings(d, c.id()) == Findings{R"(mounts:[{"source":"/etc","destination":"/hostetc"}])"},
               boost::test_tools::per_element());
  }
  {
    Docker c("cshield-st-run", "-v /var/run:/hostrun");
    BOOST_TEST(await_findings(d, c.id()) == Findings{R"(mounts:[{"source":"/var/run","destination":"/hostrun"}])"},
               boost::test_tools::per_element());
  }
  // A default run raises nothing: once the alarm of a later start is
  // stored, any alarm of the earlier one would be too (one pipeline, one
  // writer, in order).
  auto r = sh("docker run --rm --network none " + DockerContainer::image() + " true");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  const auto before = d.alarms("type=abnormal_startup").size();
  {
    Docker marker("cshield-st-marker", "--cap-add NET_ADMIN");
    BOOST_TEST(await_findings(d, marker.id()) == Findings{"capabilities:[CAP_NET_ADMIN]"},
               boost::test_tools::per_element());
  }
  BOOST_TEST(d.alarms("type=abnormal_startup").size() == before + 1);
  // The default container is in the inventory, stopped, without findings.
  auto containers = d.get("/api/v1/containers")->getArray("items");
  bool found_clean = false;
  for (std::size_t i = 0; i < containers->size(); ++i) {
    auto c = containers->getObject(i);
    if (c->getArray("findings")->size() == 0 && c->getValue<std::string>("runtime") == "docker" &&
        !c->isNull("stopped"))
      found_clean = true;
  }
  BOOST_TEST(found_clean);
}

BOOST_AUTO_TEST_CASE(runc_bundles_yield_exactly_their_findings) {
  Daemon d("netlink");
  d.start();
  const auto vm_caps = cshield::capabilities_of_status(read_text("/proc/self/status"));
  {
    Runc c("cshield-st-priv", [&](Poco::JSON::Object::Ptr& spec) {
      set_capabilities(spec, vm_caps);
      auto linux_ = spec->getObject("linux");
      linux_->remove("maskedPaths");
      linux_->remove("readonlyPaths");
      Poco::JSON::Parser parser;
      linux_->set("resources", parser.parse(R"({"devices":[{"allow":true,"access":"rwm"}]})"));
    });
    BOOST_TEST(await_findings(d, "cshield-st-priv") == Findings{"privileged:true"}, boost::test_tools::per_element());
  }
  {
    Runc c("cshield-st-caps", [&](Poco::JSON::Object::Ptr& spec) {
      set_capabilities(spec, {"CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE"});
      confine(spec);
    });
    BOOST_TEST(await_findings(d, "cshield-st-caps") ==
                   Findings{"capabilities:[CAP_SYS_ADMIN,CAP_NET_ADMIN,CAP_SYS_PTRACE]"},
               boost::test_tools::per_element());
  }
  {
    Runc c("cshield-st-noseccomp", [](Poco::JSON::Object::Ptr&) {});  // runc spec has no seccomp profile
    BOOST_TEST(await_findings(d, "cshield-st-noseccomp") == Findings{"seccomp=unconfined"},
               boost::test_tools::per_element());
  }
  {
    Runc c("cshield-st-mounts", [](Poco::JSON::Object::Ptr& spec) {
      confine(spec);
      bind(spec, "/etc", "/hostetc");
      bind(spec, "/var/run", "/hostrun");
      bind(spec, "/dev", "/hostdev");
      bind(spec, "/usr/share", "/share");  // not critical
    });
    BOOST_TEST(await_findings(d, "cshield-st-mounts") ==
                   Findings{R"(mounts:[{"source":"/etc","destination":"/hostetc"},)"
                            R"({"source":"/var/run","destination":"/hostrun"},)"
                            R"({"source":"/dev","destination":"/hostdev"}])"},
               boost::test_tools::per_element());
  }
  {
    Runc c("cshield-st-clean", [](Poco::JSON::Object::Ptr& spec) { confine(spec); });
    Runc marker("cshield-st-marker", [](Poco::JSON::Object::Ptr&) {});
    await_findings(d, "cshield-st-marker");
    BOOST_TEST(startup_alarms(d, "cshield-st-clean").empty());
  }
  // `runc delete` marks the container stopped.
  BOOST_TEST(eventually([&] { return !d.get("/api/v1/containers/cshield-st-clean")->isNull("stopped"); }, kWithin));
}

BOOST_AUTO_TEST_CASE(configured_exceptions_and_lists_decide_the_findings) {
  // The image accepts CAP_NET_ADMIN and its /run/xtables.lock mount; CAP_SYS_PTRACE
  // is no finding anywhere; /srv is critical on this host.
  Daemon d("netlink",
           "[startup]\n"
           "allowed_capabilities = CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW "
           "CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL "
           "CAP_AUDIT_WRITE CAP_SYS_PTRACE\n"
           "critical_paths = /etc/* /srv/* /run\n"
           "exception.e2e = " + DockerContainer::image() + " capabilities:[CAP_NET_ADMIN] mounts:[/run/xtables.lock]\n");
  d.start();
  {
    Docker c("cshield-st-accepted",
             "--cap-add NET_ADMIN --cap-add SYS_PTRACE --cap-add SYS_ADMIN -v /run/xtables.lock:/run/xtables.lock "
             "-v /srv:/hostsrv");
    BOOST_TEST(await_findings(d, c.id()) ==
                   (Findings{"capabilities:[CAP_SYS_ADMIN]", R"(mounts:[{"source":"/srv","destination":"/hostsrv"}])"}),
               boost::test_tools::per_element());
  }
  {  // the exception is the image's only: the same options elsewhere are findings
    Docker c("cshield-st-other", "--cap-add NET_ADMIN", "/bin/sleep 600", kSetuidImage);
    BOOST_TEST(await_findings(d, c.id()) == Findings{"capabilities:[CAP_NET_ADMIN]"}, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(a_container_whose_init_died_is_marked_stopped_without_delete) {
  Daemon d("netlink");
  d.start();
  Runc c("cshield-st-killed", [](Poco::JSON::Object::Ptr&) {});
  await_findings(d, "cshield-st-killed");
  BOOST_TEST(d.get("/api/v1/containers/cshield-st-killed")->isNull("stopped"));
  // Killed, not deleted: runc's state stays, no `runc delete` is audited.
  BOOST_REQUIRE(sh("runc kill cshield-st-killed KILL").status == 0);
  BOOST_TEST(eventually([&] { return !d.get("/api/v1/containers/cshield-st-killed")->isNull("stopped"); },
                        std::chrono::seconds(15)),
             "not marked stopped within the sweep interval\n" << d.log());
}

BOOST_AUTO_TEST_CASE(restart_neither_misses_nor_repeats) {
  Daemon d("netlink");
  d.start();
  Docker judged("cshield-st-judged", "--cap-add SYS_ADMIN");
  BOOST_TEST(await_findings(d, judged.id()) == Findings{"capabilities:[CAP_SYS_ADMIN]"}, boost::test_tools::per_element());
  BOOST_REQUIRE(d.stop() == 0);

  Docker missed("cshield-st-missed", "--security-opt seccomp=unconfined");  // while cshieldd is down
  d.start();
  BOOST_TEST(await_findings(d, missed.id()) == Findings{"seccomp=unconfined"}, boost::test_tools::per_element());
  // Flush: a start after the restart is stored after anything the inventory raised.
  {
    Docker marker("cshield-st-marker", "--cap-add NET_ADMIN");
    await_findings(d, marker.id());
  }
  const auto alarms = startup_alarms(d, judged.id());
  BOOST_TEST(alarms.size() == 1u);
  BOOST_TEST(alarms.front()->getValue<int>("count") == 1);
  for (const auto& id : {judged.id(), missed.id()}) {
    auto c = d.get("/api/v1/containers/" + id);
    BOOST_TEST(c->isNull("stopped"), id << " should be running");
    BOOST_TEST(c->getValue<bool>("running"));
    BOOST_TEST(!c->isNull("started"));
    BOOST_REQUIRE(c->getObject("posture"));
    BOOST_TEST(!c->getObject("posture")->getValue<bool>("no_new_privileges"));
  }
}

BOOST_AUTO_TEST_CASE(set_uid_gain_without_no_new_privileges) {
  Daemon d("netlink");
  d.start();
  const std::string loop = "/bin/sh -c 'while true; do /priv/id -u; sleep 0.2; done'";
  {
    Docker c("cshield-st-suid", "--user 1000", loop, kSetuidImage);
    std::vector<Poco::JSON::Object::Ptr> alarms;
    BOOST_REQUIRE_MESSAGE(eventually([&] {
                            return !(alarms = d.alarms("type=abnormal_startup&subtype=privilege_escalation&container=" +
                                                       c.id())).empty();
                          }, kWithin),
                          "no privilege_escalation alarm\n" << d.log());
    BOOST_TEST(findings_of(alarms.front()) == Findings{"no-new-privileges:false"}, boost::test_tools::per_element());
    BOOST_TEST(alarms.front()->getObject("process")->getValue<int>("uid") == 1000);
    BOOST_TEST(alarms.front()->getObject("process")->getValue<int>("euid") == 0);
  }
  {
    Docker c("cshield-st-nnp", "--user 1000 --security-opt no-new-privileges", loop, kSetuidImage);
    // Flush: the marker's start alarm is stored after anything the loop raised before it.
    Docker marker("cshield-st-marker", "--cap-add NET_ADMIN");
    await_findings(d, marker.id());
    BOOST_TEST(d.alarms("type=abnormal_startup&subtype=privilege_escalation&container=" + c.id()).empty());
  }
}

BOOST_AUTO_TEST_SUITE_END()
