#define BOOST_TEST_MODULE e2e_multicast
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness.h"

using namespace e2e;

namespace {

// auditd writing RAW records to its own file, no plugins, stopped on scope exit.
class Auditd {
 public:
  Auditd() {
    std::ofstream(dir_.path() + "/auditd.conf")
        << "log_file = " << dir_.path() << "/audit.log\nlog_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 1\n"
        << "max_log_file = 100\nmax_log_file_action = IGNORE\nspace_left = 2\nadmin_space_left = 1\n"
        << "space_left_action = IGNORE\nadmin_space_left_action = IGNORE\ndisk_full_action = IGNORE\n"
        << "disk_error_action = IGNORE\nplugin_dir = " << dir_.path() << "/plugins.d\nq_depth = 2000\n";
    sh("mkdir -p " + sh_quote(dir_.path() + "/plugins.d"));
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string dir = dir_.path();
      ::execlp("auditd", "auditd", "-c", dir.c_str(), "-n", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    BOOST_REQUIRE_MESSAGE(eventually([] { return AuditState::read().pid != "0"; }, std::chrono::seconds(10)),
                          "auditd did not register");
  }
  ~Auditd() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    sh("auditctl -D");
  }
  std::string log() const {
    std::ifstream in(dir_.path() + "/audit.log");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
};

}  // namespace

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
