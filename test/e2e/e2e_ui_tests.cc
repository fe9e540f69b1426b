#define BOOST_TEST_MODULE e2e_ui
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "harness.h"

// The web pages in headless Chromium (test/web/ui_test.mjs, playwright-core)
// against the real daemon on loopback TCP with a token, with alarms raised
// by a real runc container. Screenshots go to
// <build>/test-artifacts/web/ (one PNG per page and step).

using namespace e2e;
namespace fs = std::filesystem;

namespace {

// A loopback port nobody listens on right now.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  return token;
}

bool has_alarm(const Daemon& d, const std::string& type, const std::string& container) {
  for (const auto& a : d.alarms("type=" + type + "&container=" + container))
    if (a->getObject("container") && a->getObject("container")->getValue<std::string>("id") == container) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pages_show_real_alarms_handle_them_and_edit_policy_groups) {
  const std::string web_dir = std::string(CSHIELD_SOURCE_DIR) + "/test/web";
  BOOST_REQUIRE_MESSAGE(fs::exists(web_dir + "/node_modules/playwright-core"),
                        "playwright-core is not installed: run `npm ci` in test/web (tools/dev test does)");
  BOOST_REQUIRE_MESSAGE(fs::exists("/usr/bin/chromium"), "Debian's chromium is not installed (tools/dev deps)");
  const std::string artifacts = std::string(CSHIELD_BINARY_DIR) + "/test-artifacts/web";
  fs::remove_all(artifacts);
  fs::create_directories(artifacts);

  TempDir secrets, policy;
  const std::string token_file = secrets.path() + "/api.token";
  const int port = free_port();
  Daemon daemon("netlink", "[policy]\ndirectory = " + policy.path() + "\n");
  {  // the harness writes an empty [api] listen: give it the TCP address and token
    std::ifstream in(daemon.config_path());
    std::string conf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = conf.find("listen =\n");
    BOOST_REQUIRE(at != std::string::npos);
    conf.replace(at, 9, "listen = 127.0.0.1:" + std::to_string(port) + "\ntoken_file = " + token_file + "\n");
    std::ofstream(daemon.config_path()) << conf;
  }
  daemon.start();
  const std::string token = read_token(token_file);
  BOOST_REQUIRE(token.size() >= 16);

  const std::string id = "cshield-ui-" + std::to_string(::getpid());
  RuncContainer ctr(id, {{"/etc", "/hostetc"}});
  ctr.run_helper("ptrace");
  ctr.run_helper("read:/hostetc/shadow");
  BOOST_REQUIRE_MESSAGE(eventually([&] { return has_alarm(daemon, "high_risk_syscall", id); }, std::chrono::seconds(5)),
                        "no high_risk_syscall alarm from the container:\n" << daemon.log());
  BOOST_REQUIRE_MESSAGE(eventually([&] { return has_alarm(daemon, "file_escape", id); }, std::chrono::seconds(5)),
                        "no file_escape alarm from the container:\n" << daemon.log());

  const auto r = sh("cd " + sh_quote(web_dir) + " && CSHIELD_URL=http://127.0.0.1:" + std::to_string(port) +
                    " CSHIELD_TOKEN=" + sh_quote(token) + " CSHIELD_CONTAINER=" + sh_quote(id) +
                    " CSHIELD_ARTIFACTS=" + sh_quote(artifacts) + " node ui_test.mjs");
  BOOST_TEST_MESSAGE(r.output);
  BOOST_TEST(r.status == 0, "the browser test failed:\n" << r.output << "\ndaemon log:\n" << daemon.log());
  for (const char* shot : {"login.png", "alarms.png", "alarms-filtered.png", "alarm-detail.png", "alarm-handled.png",
                           "policy-error.png", "policy-groups.png", "containers.png", "alarms-phone.png"})
    BOOST_TEST(fs::exists(artifacts + "/" + shot), shot);
}
