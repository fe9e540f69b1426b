// The REST API server: one ApiRouter served over a Unix socket (access
// controlled by the file's mode and group, no token) and, when configured,
// over loopback TCP, where every request needs "Authorization: Bearer <token>".
// A third, optional listener serves only GET /metrics and /healthz, without
// a token, on any address (counters and health, never alarms): for
// Prometheus and probes from outside the host.
// start() and stop() are called from one controlling thread; requests run on
// the server's own thread pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/api_context.h"
#include "api/api_router.h"

namespace Poco {
class ThreadPool;
}  // namespace Poco

namespace cshield {

class GatedHttpServer;

struct ApiOptions {
  std::string socket_path;   // empty: no Unix socket
  std::string listen;        // host:port on loopback; empty: no TCP
  std::string token;         // required when `listen` is set
  int threads = 4;           // concurrent requests per listener; long-polls: at most threads - 2 in all
  std::string socket_group;  // the socket file's group; empty: the daemon's
  std::string metrics_listen;  // host:port, any address: /metrics and /healthz only; empty: none
  // Slow clients (see request_gate.h): a connection has this long from its
  // accept to send its whole request, and at most this many connections of a
  // listener wait for theirs; a worker thread only ever serves whole requests.
  std::chrono::milliseconds request_deadline{10'000};
  std::size_t max_pending = 256;
};

class ApiServer {
 public:
  // `context` and what it refers to must outlive the server.
  ApiServer(const ApiContext& context, ApiOptions options);
  ~ApiServer();  // stops
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts serving. false, with `error` saying why, when a listener
  // cannot be set up (non-loopback or malformed listen address, TCP without a
  // token, socket path in use...); nothing is left running then.
  bool start(std::string& error);
  // Stops accepting, ends held long-polls, aborts open connections, waits
  // for running requests and removes the socket file. Prompt and idempotent.
  void stop();
  // The bound TCP port (the real one when `listen` asked for port 0); 0 without TCP.
  std::uint16_t tcp_port() const { return tcp_port_; }
  // The bound metrics port; 0 without the metrics listener.
  std::uint16_t metrics_port() const { return metrics_port_; }
  // Long-polls held right now (GET /api/v1/alarms?wait=N waiting for new alarms).
  std::size_t long_polls_held() const { return router_.waiting(); }

 private:
  ApiRouter router_;
  ApiOptions options_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<GatedHttpServer> unix_server_, tcp_server_, metrics_server_;
  std::uint16_t tcp_port_ = 0, metrics_port_ = 0;
  bool socket_file_created_ = false;  // stop() removes the socket file it created
};

}  // namespace cshield
