#define BOOST_TEST_MODULE app
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "app/config.h"

using namespace cshield;

namespace {

bool has_error(const ConfigLoad& l, int line, const std::string& part) {
  return std::any_of(l.errors.begin(), l.errors.end(), [&](const ConfigMessage& m) {
    return m.line == line && m.to_string().find(part) != std::string::npos;
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(api_md_example_parses_with_inline_comments) {
  auto l = parse_config(
      "[audit]\n"
      "mode = auto            ; auto | netlink | multicast | plugin\n"
      "backlog_limit = 8192\n"
      "[storage]\n"
      "database = /var/lib/cshield/alarms.db\n"
      "retention_days = 90\n"
      "max_alarms = 1000000\n"
      "[api]\n"
      "socket = /run/cshield/api.sock      ; mode 0660\n"
      "listen = 127.0.0.1:8741             ; empty: no TCP; loopback only\n"
      "token_file = /etc/cshield/api.token ; TCP requires a bearer token\n"
      "[policy]\n"
      "directory = /etc/cshield/policy.d\n"
      "[detect]\n"
      "signatures = /etc/cshield/signatures.txt ; reloaded on SIGHUP\n"
      "[export]\n"
      "audit = yes\n"
      "syslog_format = cef\n",
      "cshield.conf");
  for (const auto& e : l.errors) BOOST_TEST_MESSAGE(e.to_string());
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.config->api.socket == "/run/cshield/api.sock");
  BOOST_TEST(l.config->api.listen == "127.0.0.1:8741");
  BOOST_TEST(l.config->audit.backlog_limit == 8192u);
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_with_file_and_line) {
  auto l = parse_config(
      "[audit]\n"                        // 1
      "mode = sometimes\n"               // 2
      "backlog_limit = lots\n"           // 3
      "[storage]\n"                      // 4
      "database = relative.db\n"         // 5
      "retention = 3\n"                  // 6
      "[api]\n"                          // 7
      "listen = 0.0.0.0:8741\n"          // 8
      "this line is wrong\n"             // 9
      "[nosuch]\n"                       // 10
      "x = 1\n"                          // 11
      "[audit]\n"                        // 12
      "mode = netlink\n",                // 13
      "/etc/cshield/cshield.conf");
  BOOST_TEST(!l.config);
  BOOST_TEST(has_error(l, 2, "/etc/cshield/cshield.conf:2: mode: 'sometimes' is not one of: auto | netlink"));
  BOOST_TEST(has_error(l, 3, "not a whole number"));
  BOOST_TEST(has_error(l, 5, "must be an absolute path"));
  BOOST_TEST(has_error(l, 6, "unknown key 'retention' in [storage]"));
  BOOST_TEST(has_error(l, 8, "not a loopback address"));
  BOOST_TEST(has_error(l, 9, "expected 'key = value'"));
  BOOST_TEST(has_error(l, 11, "unknown section [nosuch]"));
  BOOST_TEST(has_error(l, 13, "set again (first on line 2)"));
  BOOST_TEST(l.errors.size() == 8u);
}

BOOST_AUTO_TEST_CASE(empty_file_gives_the_defaults) {
  auto l = parse_config("", "empty.conf");
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.config->audit.mode == "auto");
  BOOST_TEST(l.config->storage.database == "/var/lib/cshield/alarms.db");
  BOOST_TEST(l.config->storage.retention_days == 90);
  BOOST_TEST(l.config->detect.high_risk_syscalls.empty());  // the detector's default list
}

BOOST_AUTO_TEST_CASE(read_delay_is_10_ms_by_default_may_be_0_and_is_bounded) {
  BOOST_TEST(parse_config("", "c").config->audit.read_delay_ms == 10u);
  auto l = parse_config("[audit]\nread_delay_ms = 0\n", "c");
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.config->audit.read_delay_ms == 0u);
  auto bad = parse_config("[audit]\nread_delay_ms = 500\n", "c.conf");
  BOOST_TEST(!bad.config);
  BOOST_TEST(has_error(bad, 2, "c.conf:2: read_delay_ms:"));
}

BOOST_AUTO_TEST_CASE(detector_lists) {
  auto l = parse_config("[detect]\nhigh_risk_syscalls = ptrace, setns\nfile_escape_paths = /etc/shadow /etc/passwd:w\n", "c");
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.config->detect.high_risk_syscalls == (std::vector<std::string>{"ptrace", "setns"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(l.config->detect.file_escape_paths.size() == 2u);
  BOOST_TEST(!l.config->detect.file_escape_paths[1].reads);
  auto bad = parse_config("[detect]\nhigh_risk_syscalls = ptrace;rm -rf\n", "c");
  BOOST_TEST(!bad.config);
}

// A kernel watch matches its path literally: a pattern would never match
// what the user meant, so it is refused, naming file and line.
BOOST_AUTO_TEST_CASE(file_escape_paths_refuse_patterns) {
  for (const char* pattern : {"/etc/*.conf", "/etc/shado?", "/etc/[ps]asswd"}) {
    auto l = parse_config(std::string("[detect]\nfile_escape_paths = /etc/shadow, ") + pattern + "\n", "c.conf");
    BOOST_TEST(!l.config, pattern);
    BOOST_TEST(has_error(l, 2, std::string("'") + pattern + "': a pattern; kernel audit watches take no patterns"),
               pattern);
  }
}

BOOST_AUTO_TEST_CASE(brute_force_threshold_and_window) {
  auto d = parse_config("", "c");
  BOOST_REQUIRE(d.config);
  BOOST_TEST(d.config->detect.brute_force_threshold == 5u);
  BOOST_TEST(d.config->detect.brute_force_window_seconds == 60);
  auto l = parse_config("[detect]\nbrute_force_threshold = 10\nbrute_force_window_seconds = 30\n", "c");
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.config->detect.brute_force_threshold == 10u);
  BOOST_TEST(l.config->detect.brute_force_window_seconds == 30);
  auto bad = parse_config("[detect]\nbrute_force_threshold = 1\nbrute_force_window_seconds = soon\n", "c");
  BOOST_TEST(!bad.config);
  BOOST_REQUIRE_EQUAL(bad.errors.size(), 2u);
  BOOST_TEST(bad.errors[0].to_string() == "c:2: brute_force_threshold: '1' is out of range (2 to 100000)");
  BOOST_TEST(bad.errors[1].line == 3);
}

BOOST_AUTO_TEST_CASE(exporters_and_plugin_mode_are_accepted_and_bad_exports_refused) {
  auto l = parse_config("[export]\nsyslog = tcp://127.0.0.1:514\nsyslog_format = json\njsonl = /var/log/a.jsonl\n"
                        "audit = no\n[audit]\nmode = plugin\n", "c");
  BOOST_REQUIRE(l.config);
  BOOST_TEST(l.warnings.empty());
  BOOST_TEST(l.config->exporting.syslog == "tcp://127.0.0.1:514");
  BOOST_TEST(l.config->exporting.syslog_format == "json");
  BOOST_TEST(!l.config->exporting.audit);
  BOOST_TEST(l.config->audit.mode == "plugin");
  auto bad = parse_config("[export]\nsyslog = http://x:1\nsyslog_format = leef\njsonl = rel.jsonl\n", "c");
  BOOST_TEST(!bad.config);
  BOOST_TEST(has_error(bad, 2, "udp://"));
  BOOST_TEST(has_error(bad, 3, "leef"));
  BOOST_TEST(has_error(bad, 4, "absolute"));
}

BOOST_AUTO_TEST_CASE(unreadable_file) {
  auto l = load_config("/nonexistent/cshield.conf");
  BOOST_TEST(!l.config);
  BOOST_REQUIRE_EQUAL(l.errors.size(), 1u);
  BOOST_TEST(l.errors[0].to_string().find("/nonexistent/cshield.conf: cannot read") == 0u);
}

BOOST_AUTO_TEST_CASE(startup_lists_and_exceptions_reach_the_policy) {
  auto l = parse_config(
      "[startup]\n"
      "allowed_capabilities = CAP_CHOWN, CAP_KILL\n"
      "critical_paths = /etc/* /run/* /\n"
      "exception.calico = calico/node:* capabilities:[CAP_NET_ADMIN,CAP_NET_RAW] mounts:[/run/xtables.lock]\n"
      "exception.debug = debug/* privileged:true seccomp=unconfined\n",
      "c.conf");
  for (const auto& e : l.errors) BOOST_TEST_MESSAGE(e.to_string());
  BOOST_REQUIRE(l.config);
  const StartupPolicy& p = l.config->startup;
  BOOST_TEST(p.default_capabilities == (std::vector<std::string>{"CAP_CHOWN", "CAP_KILL"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(p.critical_paths.size(), 3u);
  BOOST_TEST(p.critical_paths[0].path == "/etc");
  BOOST_TEST(p.critical_paths[0].subtree);
  BOOST_TEST(p.critical_paths[2].path == "/");
  BOOST_TEST(!p.critical_paths[2].subtree);
  BOOST_REQUIRE_EQUAL(p.exceptions.size(), 2u);
  BOOST_TEST(p.exceptions[0].image_glob == "calico/node:*");
  BOOST_TEST(p.exceptions[1].findings == (std::vector<std::string>{"privileged:true", "seccomp=unconfined"}),
             boost::test_tools::per_element());

  // The configured policy is what the findings follow: CAP_SYS_ADMIN is
  // beyond the two allowed, what is below /run is critical, /srv is not; the calico image's
  // CAP_NET_ADMIN and xtables.lock mount are accepted.
  ContainerPosture posture;
  posture.seccomp = true;
  posture.capabilities = {"CAP_CHOWN", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"};
  posture.host_mounts = {{"/run/xtables.lock", "/run/xtables.lock"}, {"/srv", "/srv"}};
  BOOST_TEST(startup_findings(posture, p, "calico/node:v3") == (std::vector<std::string>{"capabilities:[CAP_SYS_ADMIN]"}),
             boost::test_tools::per_element());
  BOOST_TEST(startup_findings(posture, p, "nginx:1") ==
                 (std::vector<std::string>{"capabilities:[CAP_NET_ADMIN,CAP_SYS_ADMIN]",
                                           R"(mounts:[{"source":"/run/xtables.lock","destination":"/run/xtables.lock"}])"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(startup_errors_name_the_line) {
  auto l = parse_config(
      "[startup]\n"
      "allowed_capabilities = CAP_CHOWN CAP_FLY\n"
      "critical_paths = etc\n"
      "exception.a = nginx:*\n"
      "exception.b = nginx:* capabilities:[CAP_NOPE]\n"
      "exception.c = nginx:* root:true\n"
      "exception.d = nginx:* mounts:[etc]\n"
      "exception.a = x:* privileged:true\n"
      "critical_paths = /etc/**\n",
      "c.conf");
  BOOST_TEST(!l.config);
  BOOST_TEST(has_error(l, 2, "'CAP_FLY' is not a capability name"));
  BOOST_TEST(has_error(l, 3, "'etc' must be an absolute path"));
  BOOST_TEST(has_error(l, 4, "exception 'a' needs an image glob and at least one finding"));
  BOOST_TEST(has_error(l, 5, "exception 'b': 'CAP_NOPE' is not a capability name"));
  BOOST_TEST(has_error(l, 6, "'root:true' is not a finding"));
  BOOST_TEST(has_error(l, 7, "mount source 'etc' must be an absolute host path"));
  BOOST_TEST(has_error(l, 8, "'exception.a' in [startup] is set again (first on line 4)"));
  BOOST_TEST(has_error(l, 9, "only a trailing /* is understood"));
}

BOOST_AUTO_TEST_CASE(default_text_is_itself_valid) {
  auto l = parse_config(default_config_text(), "default");
  for (const auto& e : l.errors) BOOST_TEST_MESSAGE(e.to_string());
  BOOST_TEST(l.errors.empty());
}

BOOST_AUTO_TEST_SUITE_END()
