#define BOOST_TEST_MODULE e2e_docker
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include "harness.h"

using namespace e2e;
using Poco::JSON::Object;

// Docker's default seccomp profile refuses setns, reboot and
// open_by_handle_at before the audit path sees them, so the container runs
// with seccomp unconfined (ARCHITECTURE.md, probed facts).
BOOST_AUTO_TEST_CASE(docker_container_alarms_name_the_container_and_its_image) {
  BOOST_REQUIRE_MESSAGE(sh("docker info").status == 0, "dockerd is not running (tools/dev test starts it)");
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  Daemon daemon("netlink");
  daemon.start();
  const std::string name = "cshield-e2e-docker-" + std::to_string(::getpid());
  DockerContainer ctr(name, "--security-opt seccomp=unconfined -v /etc:/hostetc:ro");

  for (const std::string attempt : {"ptrace", "setns", "reboot", "open_by_handle_at", "read:/hostetc/shadow"}) {
    BOOST_TEST_CONTEXT(attempt) {
      ctr.run_helper(attempt);
      const int init_pid = std::stoi(sh("docker inspect -f '{{.State.Pid}}' " + name).output);
      const std::string query = attempt.rfind("read:", 0) == 0 ? "type=file_escape" : "type=high_risk_syscall&subtype=" + attempt;
      Object::Ptr found;
      eventually([&] {
        for (const auto& a : daemon.alarms(query))
          if (a->getObject("process")->getValue<int>("ppid") == init_pid) found = a;
        return !found.isNull();
      }, std::chrono::seconds(2));
      BOOST_REQUIRE_MESSAGE(found, "no alarm within 2 s; log:\n" << daemon.log());
      auto c = found->getObject("container");
      BOOST_TEST(c->getValue<std::string>("id") == ctr.id());
      BOOST_TEST(c->getValue<std::string>("name") == name);
      BOOST_TEST(c->getValue<std::string>("image") == DockerContainer::image());
      BOOST_TEST(c->getValue<std::string>("runtime") == "docker");
      BOOST_TEST(found->getObject("process")->getValue<std::string>("exe") == "/helper");
    }
  }
  // Filtering by the container's name and by a 12-character id prefix: the
  // five attempts, open_by_handle_at also as a shocker vulnerability escape
  // (the container's start may raise alarms of its own: not counted here).
  auto attempts = [&](const std::string& container) {
    std::size_t n = 0;
    for (const auto& a : daemon.alarms("container=" + container))
      n += a->getValue<std::string>("type") != "abnormal_startup";
    return n;
  };
  BOOST_TEST(attempts(name) == 6u);
  BOOST_TEST(attempts(ctr.id().substr(0, 12)) == 6u);

  BOOST_TEST(daemon.stop() == 0);
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == "0");
  BOOST_TEST(after.cshield_rules().empty());
  BOOST_TEST(after.enabled == before.enabled);
}
