#define BOOST_TEST_MODULE e2e_package
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include "harness.h"

using namespace e2e;

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Everything the package or its scripts put on the system.
const std::vector<std::string> kInstalled{
    "/usr/sbin/cshieldd", "/usr/bin/cshieldctl", "/usr/lib/systemd/system/cshieldd.service",
    "/etc/cshield", "/etc/audit/plugins.d/cshield.conf", "/etc/logrotate.d/cshield",
    "/usr/share/cshield", "/usr/share/man/man8/cshieldd.8", "/var/lib/cshield", "/var/log/cshield"};

// Purges the package on scope exit, so a failing test leaves nothing installed.
struct PurgeGuard {
  ~PurgeGuard() { sh("dpkg --purge cshield"); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_deb_installs_runs_renders_its_manual_and_purges_clean) {
  BOOST_REQUIRE_MESSAGE(sh("dpkg-query -W cshield").status != 0,
                        "a cshield package is installed on this host; the test would replace it");
  BOOST_REQUIRE(sh("getent group cshield").status != 0);
  for (const auto& p : kInstalled) BOOST_REQUIRE_MESSAGE(!exists(p), p << " exists before the test");

  TempDir out;
  const auto built = sh("cd " + sh_quote(CSHIELD_BINARY_DIR) + " && cpack -G DEB -B " + sh_quote(out.path()));
  BOOST_REQUIRE_MESSAGE(built.status == 0, built.output);
  const std::string deb = sh("ls " + sh_quote(out.path()) + "/cshield_*.deb").output;
  BOOST_REQUIRE(!deb.empty());
  const std::string deb_path = deb.substr(0, deb.find('\n'));
  const auto control = sh("dpkg-deb -I " + sh_quote(deb_path));
  BOOST_TEST(control.output.find("Depends: ") != std::string::npos);
  BOOST_TEST(control.output.find("libauparse0") != std::string::npos, control.output);

  PurgeGuard guard;
  const auto installed = sh("dpkg -i " + sh_quote(deb_path));
  BOOST_REQUIRE_MESSAGE(installed.status == 0, installed.output);
  BOOST_TEST(sh("/usr/sbin/cshieldd --version").output.find("cshieldd ") == 0u);
  BOOST_TEST(sh("getent group cshield").status == 0);
  struct stat st {};
  BOOST_TEST((::stat("/var/lib/cshield", &st) == 0 && (st.st_mode & 07777) == 0750));
  const auto check = sh("/usr/sbin/cshieldd --check-config --config /etc/cshield/cshield.conf");
  BOOST_TEST(check.status == 0, check.output);
  BOOST_TEST(sh("grep -q '^active = no' /etc/audit/plugins.d/cshield.conf").status == 0);
  for (const std::string page : {"cshieldd", "cshieldctl", "cshield.conf", "cshield-alarms"}) {
    // man --warnings prints groff's warnings on stderr; the page on stdout.
    const auto shown = sh("MANWIDTH=80 man --warnings " + page + " 2>&1 >/dev/null; echo rc=$?");
    BOOST_TEST(shown.output == "rc=0\n", page << ": " << shown.output);
  }
  BOOST_TEST(sh("MANWIDTH=80 man " + std::string("cshield-alarms") + " | grep -q 'type=UNKNOWN\\[2199\\]'").status == 0);
  if (sh("command -v systemd-analyze").status == 0) {
    const auto verified = sh("systemd-analyze verify /usr/lib/systemd/system/cshieldd.service");
    BOOST_TEST(verified.status == 0, verified.output);
    BOOST_TEST(verified.output.empty(), verified.output);
  }

  const auto purged = sh("dpkg --purge cshield");
  BOOST_REQUIRE_MESSAGE(purged.status == 0, purged.output);
  BOOST_TEST(sh("dpkg-query -W cshield").status != 0);
  BOOST_TEST(sh("getent group cshield").status != 0);
  for (const auto& p : kInstalled) BOOST_TEST(!exists(p), p << " is left after purge");
}
