#define BOOST_TEST_MODULE api_peer
#include <boost/test/unit_test.hpp>

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "api/api_server.h"
#include "store/sqlite_store.h"

using namespace cshield;

namespace {

// GET /healthz over the socket as uid/gid (in a forked child); the HTTP status.
int status_as(const std::string& socket_path, uid_t uid, gid_t gid) {
  int pipefd[2];
  BOOST_REQUIRE(::pipe(pipefd) == 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipefd[0]);
    int status = -1;
    if (::setgroups(0, nullptr) == 0 && ::setgid(gid) == 0 && ::setuid(uid) == 0) {
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const char req[] = "GET /healthz HTTP/1.0\r\n\r\n";
        if (::write(fd, req, sizeof req - 1) == static_cast<ssize_t>(sizeof req - 1)) {
          char buf[256] = {};
          if (::read(fd, buf, sizeof buf - 1) > 12) status = std::atoi(buf + 9);  // "HTTP/1.0 403"
        }
      } else {
        status = 0;  // the file mode refused the connection
      }
    }
    ssize_t ignored = ::write(pipefd[1], &status, sizeof status);
    (void)ignored;
    ::_exit(0);
  }
  ::close(pipefd[1]);
  int status = -2;
  BOOST_REQUIRE(::read(pipefd[0], &status, sizeof status) == static_cast<ssize_t>(sizeof status));
  ::close(pipefd[0]);
  ::waitpid(child, nullptr, 0);
  return status;
}

}  // namespace

BOOST_AUTO_TEST_CASE(only_root_and_the_sockets_group_are_answered_even_on_a_widened_socket) {
  BOOST_REQUIRE_MESSAGE(::geteuid() == 0, "needs root to connect as other users");
  char dir_template[] = "/tmp/cshield-peer-XXXXXX";
  BOOST_REQUIRE(::mkdtemp(dir_template));
  const std::string dir = dir_template;
  ::chmod(dir.c_str(), 0755);
  {
    SqliteStore store(dir + "/alarms.db", StoreOptions{});
    ApiContext ctx{store, {}, [] { return true; }, {}};
    ApiOptions options;
    options.socket_path = dir + "/api.sock";
    options.socket_group = "nogroup";
    ApiServer server(ctx, options);
    std::string error;
    BOOST_REQUIRE_MESSAGE(server.start(error), error);
    const gid_t nogroup = ::getgrnam("nogroup")->gr_gid;

    BOOST_TEST(status_as(options.socket_path, 0, 0) == 200);            // root
    BOOST_TEST(status_as(options.socket_path, 65534, nogroup) == 200);  // the socket's group
    BOOST_TEST(status_as(options.socket_path, 4242, 4242) == 0);        // the file mode (0660) refuses

    // Someone widens the socket file: the daemon still refuses strangers.
    ::chmod(options.socket_path.c_str(), 0666);
    BOOST_TEST(status_as(options.socket_path, 4242, 4242) == 403);
    BOOST_TEST(status_as(options.socket_path, 65534, nogroup) == 200);
    server.stop();
  }
  std::system(("rm -rf " + dir).c_str());
}
