#include <boost/test/unit_test.hpp>

#include "app/node_identity.h"
#include "app/privilege_check.h"

using namespace cshield;

namespace {

// /proc/self/status lines of a process with the given effective set.
std::string status(const std::string& cap_eff, const std::string& nspid = "4242") {
  return "Name:\tcshieldd\nNSpid:\t" + nspid + "\nCapInh:\t0000000000000000\nCapPrm:\t" + cap_eff +
         "\nCapEff:\t" + cap_eff + "\nCapBnd:\t000001ffffffffff\n";
}

// AUDIT_CONTROL 30, AUDIT_READ 37, SYS_PTRACE 19, DAC_READ_SEARCH 2: the DaemonSet's set.
constexpr std::uint64_t kDaemonSet = (1ull << 30) | (1ull << 37) | (1ull << 19) | (1ull << 2);

std::string hex(std::uint64_t bits) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

Config daemonset_config() {
  Config c;
  c.exporting.audit = false;  // the DaemonSet's ConfigMap ships alarms by syslog and JSON Lines
  return c;
}

bool mentions(const std::vector<std::string>& missing, const std::string& what) {
  for (const auto& m : missing)
    if (m.find(what) != std::string::npos) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(privileges)

BOOST_AUTO_TEST_CASE(the_daemonset_set_in_the_host_pid_namespace_is_enough) {
  BOOST_TEST(missing_privileges(daemonset_config(), status(hex(kDaemonSet))).empty());
  BOOST_TEST(missing_privileges(Config{}, status("000001ffffffffff")).empty());  // root
}

BOOST_AUTO_TEST_CASE(each_missing_capability_is_named_with_its_reason) {
  for (int cap : {30, 37, 19, 2}) {
    const auto missing = missing_privileges(daemonset_config(), status(hex(kDaemonSet & ~(1ull << cap))));
    BOOST_REQUIRE_EQUAL(missing.size(), 1u);
    const char* name = cap == 30 ? "CAP_AUDIT_CONTROL" : cap == 37 ? "CAP_AUDIT_READ" : cap == 19 ? "CAP_SYS_PTRACE"
                                                                                                  : "CAP_DAC_READ_SEARCH";
    BOOST_TEST(missing[0].find(name) == 0u, missing[0]);
    BOOST_TEST(missing[0].find("needed to") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(what_is_needed_follows_the_configuration) {
  Config netlink = daemonset_config();
  netlink.audit.mode = "netlink";
  BOOST_TEST(missing_privileges(netlink, status(hex(kDaemonSet & ~(1ull << 37)))).empty());
  Config exporting = daemonset_config();
  exporting.exporting.audit = true;
  BOOST_TEST(mentions(missing_privileges(exporting, status(hex(kDaemonSet))), "CAP_AUDIT_WRITE"));
  Config group = daemonset_config();
  group.api.socket_group = "cshield";
  BOOST_TEST(mentions(missing_privileges(group, status(hex(kDaemonSet))), "CAP_CHOWN"));
}

BOOST_AUTO_TEST_CASE(a_child_pid_namespace_is_refused) {
  const auto missing = missing_privileges(daemonset_config(), status(hex(kDaemonSet), "4242\t1"));
  BOOST_REQUIRE_EQUAL(missing.size(), 1u);
  BOOST_TEST(missing[0].find("hostPID: true") != std::string::npos);
  BOOST_TEST(missing[0].find("--pid host") != std::string::npos);
  // A container's own /proc shows one NSpid entry: the namespace decides.
  BOOST_TEST(missing_privileges(daemonset_config(), status(hex(kDaemonSet), "1"), std::nullopt, false).size() == 1u);
  BOOST_TEST(missing_privileges(daemonset_config(), status(hex(kDaemonSet)), std::nullopt, true).empty());
  BOOST_TEST(in_host_pid_namespace().value_or(false));  // the tests run on the host
}

BOOST_AUTO_TEST_CASE(a_user_namespace_is_refused) {
  const auto missing = missing_privileges(daemonset_config(), status(hex(kDaemonSet)), std::nullopt, std::nullopt, false);
  BOOST_REQUIRE_EQUAL(missing.size(), 1u);
  BOOST_TEST(missing[0].find("user namespace") != std::string::npos);
  BOOST_TEST(in_host_user_namespace().value_or(false));
}

BOOST_AUTO_TEST_CASE(multicast_outside_the_host_network_namespace_is_refused) {
  Config multicast = daemonset_config();
  multicast.audit.mode = "multicast";
  BOOST_TEST(missing_privileges(multicast, status(hex(kDaemonSet)), true).empty());
  BOOST_TEST(missing_privileges(multicast, status(hex(kDaemonSet)), std::nullopt).empty());
  const auto missing = missing_privileges(multicast, status(hex(kDaemonSet)), false);
  BOOST_REQUIRE_EQUAL(missing.size(), 1u);
  BOOST_TEST(missing[0].find("hostNetwork: true") != std::string::npos);
  Config netlink = daemonset_config();
  netlink.audit.mode = "netlink";  // unicast reaches any network namespace
  BOOST_TEST(missing_privileges(netlink, status(hex(kDaemonSet)), false).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(node_identity)

BOOST_AUTO_TEST_CASE(configured_then_environment_then_host_name) {
  BOOST_TEST(choose_node_name("edge-1", "worker-7", "pod-xyz") == "edge-1");
  BOOST_TEST(choose_node_name("", "worker-7", "pod-xyz") == "worker-7");
  BOOST_TEST(choose_node_name("", "", "pod-xyz") == "pod-xyz");
  BOOST_TEST(!node_name("").empty());
  BOOST_TEST(node_name("edge-1") == "edge-1");
}

BOOST_AUTO_TEST_CASE(the_configuration_takes_a_node_name) {
  auto l = parse_config("[node]\nname = worker-7\n", "c.conf");
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.config->node.name == "worker-7");
  auto bad = parse_config("[node]\nname = two words\n", "c.conf");
  BOOST_REQUIRE_EQUAL(bad.errors.size(), 1u);
  BOOST_TEST(bad.errors[0].line == 2);
}

BOOST_AUTO_TEST_SUITE_END()
