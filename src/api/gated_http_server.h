// An HTTP server on one listening socket whose worker threads only ever see
// whole requests: a RequestGate (request_gate.h) accepts and waits for each
// request, then hands the connection to Poco's dispatcher, which runs the
// handler on `pool` (at most `threads` at once, 512 more queued, beyond that
// refused). Every response closes its connection ("Connection: close"): an
// idle keep-alive connection would otherwise wait on a worker thread for its
// next request.
// start() and stop() are called from one controlling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/ServerSocket.h>

#include "api/request_gate.h"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServerDispatcher;
}
}  // namespace Poco

namespace cshield {

// The handler factory of a GatedHttpServer: abort_connections() makes every
// running connection shut its socket (Poco's event, only a subclass may fire it).
class AbortableHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  void abort_connections() { serverStopped(this, true); }
};

class GatedHttpServer {
 public:
  // `pool` must outlive the server; the server owns `factory`.
  GatedHttpServer(Poco::Net::ServerSocket socket, AbortableHandlerFactory* factory,
                  Poco::ThreadPool& pool, int threads, const GateLimits& limits);
  ~GatedHttpServer();  // stops
  GatedHttpServer(const GatedHttpServer&) = delete;
  GatedHttpServer& operator=(const GatedHttpServer&) = delete;

  bool start(std::string& error);
  // Stops accepting, closes waiting connections, aborts running ones (their
  // threads end soon after; the caller joins the pool). Idempotent.
  void stop();
  // The bound port of a TCP socket; 0 for a Unix socket.
  std::uint16_t port() const;

 private:
  void hand_over(int fd);  // the gate's thread: a whole request goes to a worker

  Poco::Net::ServerSocket socket_;
  Poco::SharedPtr<AbortableHandlerFactory> factory_;
  Poco::Net::TCPServerDispatcher* dispatcher_;  // reference counted: release()d, never deleted
  RequestGate gate_;
  bool stopped_ = false;
};

}  // namespace cshield
