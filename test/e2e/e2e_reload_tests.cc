#define BOOST_TEST_MODULE e2e_reload
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <algorithm>
#include <fstream>

#include "harness.h"

using namespace e2e;

namespace {

std::vector<std::string> high_risk_rules() {
  std::vector<std::string> out;
  for (const auto& r : AuditState::read().rules)
    if (r.find("cshield.high_risk_syscall") != std::string::npos) out.push_back(r);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sighup_keeps_a_broken_config_out_and_applies_a_good_one) {
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  Daemon daemon("netlink");
  daemon.start();
  const auto original_rules = high_risk_rules();
  BOOST_REQUIRE_EQUAL(original_rules.size(), 2u);  // b64 and b32

  // A broken file: reported with file and line, the running configuration stays.
  std::string good_config;
  {
    std::ifstream in(daemon.config_path());
    good_config.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(daemon.config_path()) << good_config << "[detect]\nhigh_risk_syscalls = ptrace;oops\n";
  const int broken_line = static_cast<int>(std::count(good_config.begin(), good_config.end(), '\n')) + 2;
  daemon.signal(SIGHUP);
  const std::string expected = daemon.config_path() + ":" + std::to_string(broken_line) + ": high_risk_syscalls";
  BOOST_TEST(eventually([&] { return daemon.log().find(expected) != std::string::npos; }, std::chrono::seconds(5)),
             "log:\n" << daemon.log());
  BOOST_TEST(eventually([&] { return daemon.log().find("running one stays in force") != std::string::npos; },
                        std::chrono::seconds(5)));
  BOOST_TEST(high_risk_rules() == original_rules, boost::test_tools::per_element());
  BOOST_TEST(daemon.get("/healthz")->getValue<std::string>("status") == "ok");

  // A good change: the rules follow it.
  std::ofstream(daemon.config_path()) << good_config << "[detect]\nhigh_risk_syscalls = ptrace, setns\n";
  daemon.signal(SIGHUP);
  BOOST_TEST(eventually([&] {
    const auto now = high_risk_rules();
    return now.size() == 2u && now[0].find("-S ptrace,setns") != std::string::npos;
  }, std::chrono::seconds(5)), "log:\n" << daemon.log());

  BOOST_TEST(daemon.stop() == 0);
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == "0");
  BOOST_TEST(after.cshield_rules().empty());
  BOOST_TEST(after.enabled == before.enabled);
}
