#define BOOST_TEST_MODULE e2e_multicast
#include <boost/test/unit_test.hpp>

#include <unistd.h>


#include "auditd_process.h"
#include "harness.h"

using namespace e2e;


BOOST_AUTO_TEST_CASE(beside_auditd_alarms_are_raised_and_auditds_log_stays_complete) {
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  {
    Auditd auditd;
    const std::string auditd_pid = AuditState::read().pid;
    Daemon daemon("auto");
    daemon.start();
    BOOST_TEST(daemon.get("/api/v1/status")->getValue<std::string>("mode") == "multicast");
    BOOST_TEST(AuditState::read().pid == auditd_pid);  // auditd keeps the socket

    RuncContainer ctr("cshield-e2e-mc-" + std::to_string(::getpid()));
    ctr.run_helper("ptrace");
    int pid = 0;
    bool raised = eventually([&] {
      for (const auto& a : daemon.alarms("type=high_risk_syscall&subtype=ptrace"))
        if (a->getObject("process")->getValue<int>("ppid") == ctr.init_pid())
          pid = a->getObject("process")->getValue<int>("pid");
      return pid > 0;
    }, std::chrono::seconds(2));
    BOOST_TEST(raised, "log:\n" << daemon.log());
    // auditd logged the same event, with cshield's key.
    const std::string needle = "pid=" + std::to_string(pid) + " ";
    BOOST_TEST(eventually([&] {
      const std::string log = auditd.log();
      return log.find(needle) != std::string::npos && log.find("cshield.high_risk_syscall") != std::string::npos;
    }, std::chrono::seconds(5)));
    BOOST_TEST(daemon.stop() == 0);
    BOOST_TEST(AuditState::read().cshield_rules().empty());
    BOOST_TEST(AuditState::read().pid == auditd_pid);
  }
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == "0");
  sh("auditctl -e " + before.enabled);
  BOOST_TEST(AuditState::read().enabled == before.enabled);
}
