// Slow clients against the API server's request gate (src/api/request_gate.h):
// connections that trickle their header, send nothing, send their body
// slowly, or idle after a request never keep others from being answered; the
// whole-request deadline closes them; the number waiting is capped.
// And the framing rules the gate judges requests by.
#define BOOST_TEST_MODULE api_gate
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "api/api_client.h"
#include "api/api_server.h"
#include "api/request_framing.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

using namespace cshield;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kToken = "gate-test-token";
constexpr int kThreads = 2;

// A connected socket, closed at scope end.
struct Connection {
  int fd = -1;
  explicit Connection(int f) : fd(f) {}
  Connection(Connection&& o) noexcept : fd(o.fd) { o.fd = -1; }
  ~Connection() {
    if (fd >= 0) ::close(fd);
  }
  void send_text(const std::string& text) const {
    BOOST_REQUIRE(::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
  }
  // One byte a send(): each its own segment or message.
  void trickle(const std::string& text) const {
    for (char c : text) BOOST_REQUIRE(::send(fd, &c, 1, MSG_NOSIGNAL) == 1);
  }
  // Open: no bytes from the server and no end of stream (checked at once, no waiting).
  bool still_open() const {
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 0;
  }
  // Everything the server sends until it closes; "" with `closed` false when
  // that does not happen before `deadline`.
  std::string read_until_closed(Clock::time_point deadline, bool& closed) const {
    std::string text;
    closed = false;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return text;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        closed = true;  // EOF or reset
        return text;
      }
      text.append(buf, static_cast<std::size_t>(n));
    }
  }
};

struct Server {
  testing::TempDir tmp{"cshield-gate"};
  SqliteStore store{tmp / "alarms.db", StoreOptions{}};
  ApiContext context{store, {}, [] { return true; }, {}};
  ApiServer server;

  explicit Server(ApiOptions options) : server(context, with_paths(std::move(options))) {
    std::string error;
    BOOST_REQUIRE_MESSAGE(server.start(error), error);
  }
  ApiOptions with_paths(ApiOptions o) const {
    o.socket_path = tmp / "api.sock";
    o.listen = "127.0.0.1:0";
    o.token = kToken;
    o.threads = kThreads;
    return o;
  }
  std::string socket_path() const { return tmp / "api.sock"; }

  Connection connect_unix() const {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path().c_str());
    BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return Connection(fd);
  }
  Connection connect_tcp() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.tcp_port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return Connection(fd);
  }
  Connection connect(bool tcp) const { return tcp ? connect_tcp() : connect_unix(); }

  ApiReply healthz(bool tcp) const {
    if (!tcp) return ApiClient::over_unix_socket(socket_path()).call("GET", "/healthz");
    std::string error;
    auto client = ApiClient::over_tcp("http://127.0.0.1:" + std::to_string(server.tcp_port()), kToken, error);
    BOOST_REQUIRE_MESSAGE(client, error);
    return client->call("GET", "/healthz");
  }
};

// Sends a healthz request and waits for its whole answer.
std::string answer_of(const Connection& c, const std::string& connection_header) {
  c.send_text("GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken + "\r\n" + connection_header +
              "\r\n");
  bool closed = false;
  return c.read_until_closed(Clock::now() + std::chrono::seconds(5), closed);
}

}  // namespace

// More slow connections of each kind than there are worker threads, on the
// Unix socket and on TCP: a normal request is still answered, and every slow
// connection is still open afterwards (so this holds at any speed: with
// threads parked on them, either the answer waits for their timeout or they
// are closed by then).
BOOST_AUTO_TEST_CASE(slow_clients_do_not_hold_the_worker_threads) {
  Server s{ApiOptions{}};  // the default whole-request deadline: 10 s
  for (bool tcp : {false, true}) {
    BOOST_TEST_CONTEXT((tcp ? "tcp" : "unix")) {
      std::vector<Connection> slow;
      for (int i = 0; i < kThreads + 2; ++i) {
        slow.push_back(s.connect(tcp));  // silent: connects and sends nothing
        Connection trickling = s.connect(tcp);
        trickling.trickle("GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        slow.push_back(std::move(trickling));
        Connection slow_body = s.connect(tcp);
        slow_body.send_text("PATCH /api/v1/alarms/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken +
                            "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
        slow_body.trickle(R"({"note":)");
        slow.push_back(std::move(slow_body));
      }
      // A client idle after its request: answered with "Connection: close"
      // and closed, so it never waits on a worker for a next request.
      Connection keep_alive = s.connect(tcp);
      const std::string answer = answer_of(keep_alive, "Connection: keep-alive\r\n");
      BOOST_TEST(answer.find("200 OK") != std::string::npos, answer);
      std::string lower = answer;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      BOOST_TEST(lower.find("connection: close") != std::string::npos, answer);

      const ApiReply reply = s.healthz(tcp);
      BOOST_TEST(reply.status == 200, reply.body);
      for (std::size_t i = 0; i < slow.size(); ++i) BOOST_TEST(slow[i].still_open(), "slow connection " << i);
    }
  }
}

// The whole-request deadline closes a client that never completes its
// request, however it trickles, with a 408 it can read.
BOOST_AUTO_TEST_CASE(a_slow_client_is_closed_at_the_whole_request_deadline) {
  ApiOptions options;
  options.request_deadline = std::chrono::milliseconds(300);
  Server s{options};
  for (bool tcp : {false, true}) {
    BOOST_TEST_CONTEXT((tcp ? "tcp" : "unix")) {
      Connection silent = s.connect(tcp);
      Connection trickling = s.connect(tcp);
      trickling.trickle("GET /healthz HTTP/1.1\r\nHo");
      // It keeps trickling (each byte before the last deadline) and is still cut off.
      const auto started = Clock::now();
      while (trickling.still_open() && Clock::now() - started < std::chrono::seconds(5)) {
        pollfd p{trickling.fd, POLLIN, 0};
        ::poll(&p, 1, 50);
        if (!(p.revents & POLLIN)) (void)::send(trickling.fd, "x", 1, MSG_NOSIGNAL);
      }
      for (const Connection* c : {&silent, &trickling}) {
        bool closed = false;
        const std::string text = c->read_until_closed(Clock::now() + std::chrono::seconds(5), closed);
        BOOST_TEST(closed);
        BOOST_TEST(text.find("408 Request Timeout") != std::string::npos, text);
        BOOST_TEST(text.find("request_timeout") != std::string::npos, text);
      }
      BOOST_TEST(s.healthz(tcp).status == 200);
    }
  }
}

// At most max_pending connections wait for their request; one more is
// answered 503 and closed at once, and the waiting ones stay.
BOOST_AUTO_TEST_CASE(connections_beyond_the_pending_cap_are_refused) {
  ApiOptions options;
  options.max_pending = 3;
  Server s{options};
  for (bool tcp : {false, true}) {
    BOOST_TEST_CONTEXT((tcp ? "tcp" : "unix")) {
      std::vector<Connection> waiting;
      for (int i = 0; i < 3; ++i) waiting.push_back(s.connect(tcp));
      Connection extra = s.connect(tcp);  // accepted after the three: connections are taken in order
      bool closed = false;
      const std::string text = extra.read_until_closed(Clock::now() + std::chrono::seconds(5), closed);
      BOOST_TEST(closed);
      BOOST_TEST(text.find("503 Service Unavailable") != std::string::npos, text);
      for (const auto& c : waiting) BOOST_TEST(c.still_open());
      // One waiting connection completes its request: it is answered, and room is made.
      const std::string answer = answer_of(waiting[0], "");
      BOOST_TEST(answer.find("200 OK") != std::string::npos, answer);
      waiting.clear();
      const auto deadline = Clock::now() + std::chrono::seconds(5);
      int status = 0;
      while (status != 200 && Clock::now() < deadline) status = s.healthz(tcp).status;
      BOOST_TEST(status == 200);
    }
  }
}

// Oversized requests are refused by the gate without a worker: 431 for the
// header, 413 for a declared body, readable by the client.
BOOST_AUTO_TEST_CASE(oversized_requests_are_refused_before_a_worker_sees_them) {
  Server s{ApiOptions{}};
  for (bool tcp : {false, true}) {
    Connection big_header = s.connect(tcp);
    big_header.send_text("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
    bool closed = false;
    std::string text = big_header.read_until_closed(Clock::now() + std::chrono::seconds(5), closed);
    BOOST_TEST(text.find("431 ") != std::string::npos, text);
    Connection big_body = s.connect(tcp);
    big_body.send_text("PATCH /api/v1/alarms/1 HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" + std::string(1000, '{'));
    text = big_body.read_until_closed(Clock::now() + std::chrono::seconds(5), closed);
    BOOST_TEST(text.find("413 Payload Too Large") != std::string::npos, text);
    BOOST_TEST(text.find("payload_too_large") != std::string::npos, text);
  }
}

BOOST_AUTO_TEST_CASE(framing_finds_the_end_of_a_request) {
  const FramingLimits limits{100, 10};
  BOOST_TEST((frame_request("", limits) == Framing::incomplete));
  BOOST_TEST((frame_request("GET / HTTP/1.1\r\nHost: x\r\n", limits) == Framing::incomplete));
  BOOST_TEST((frame_request("GET / HTTP/1.1\r\nHost: x\r\n\r\n", limits) == Framing::complete));
  BOOST_TEST((frame_request("GET / HTTP/1.1\nHost: x\n\n", limits) == Framing::complete));
  BOOST_TEST((frame_request("GET / HTTP/1.1\r\nX: " + std::string(120, 'a'), limits) == Framing::header_too_large));
  BOOST_TEST((frame_request("POST / HTTP/1.1\r\ncontent-length: 4\r\n\r\nabc", limits) == Framing::incomplete));
  BOOST_TEST((frame_request("POST / HTTP/1.1\r\ncontent-length: 4\r\n\r\nabcd", limits) == Framing::complete));
  BOOST_TEST((frame_request("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits) == Framing::body_too_large));
  BOOST_TEST((frame_request("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", limits) ==
              Framing::body_too_large));
  BOOST_TEST((frame_request("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", limits) == Framing::complete));
  const std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  BOOST_TEST((frame_request(chunked + "3\r\nabc\r\n", limits) == Framing::incomplete));
  BOOST_TEST((frame_request(chunked + "3\r\nabc\r\n0\r\n", limits) == Framing::incomplete));
  BOOST_TEST((frame_request(chunked + "3\r\nabc\r\n0\r\n\r\n", limits) == Framing::complete));
  BOOST_TEST((frame_request(chunked + "3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n", limits) == Framing::complete));
  BOOST_TEST((frame_request(chunked + "8\r\nabcdefgh\r\n8\r\n", limits) == Framing::body_too_large));
}
