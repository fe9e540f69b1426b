// The pre-reader of one API listener: slow or idle clients never hold a
// worker thread. One thread accepts every connection of `listen_fd` and
// watches them all (epoll, edge-triggered); a connection is handed to the
// workers only once its whole first request (header and declared body, see
// request_framing.h) has arrived. The gate only peeks (MSG_PEEK): the bytes
// stay in the socket for the HTTP server to read.
//
// Contract, for every accepted connection, exactly one of:
// - its request becomes whole within `deadline` of its accept: handed off;
// - the peer closes or fails first: closed;
// - the deadline passes first: answered 408 and closed;
// - its header exceeds max_header: 431; its body exceeds max_body: 413;
// - `max_pending` connections are already waiting: answered 503 and closed
//   at once (memory stays bounded by max_pending, whatever clients do).
// Refusals are written without blocking and the connection is then drained
// (at most 1 MiB, at most 2 s) before it closes, so the client can read the
// answer instead of a reset.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/request_framing.h"

namespace cshield {

struct GateLimits {
  FramingLimits framing;
  std::size_t max_pending = 256;                // connections waiting for their request, draining included
  std::chrono::milliseconds deadline{10'000};  // from accept to a whole request
};

class RequestGate {
 public:
  // Receives a connected, blocking socket whose request is whole; it owns the fd from then on.
  // Called on the gate's thread: it must not block.
  using HandOff = std::function<void(int fd)>;

  // `listen_fd` (a listening stream socket, TCP or Unix) stays owned by the
  // caller and must outlive the gate; the gate makes it non-blocking.
  RequestGate(int listen_fd, GateLimits limits, HandOff hand_off);
  ~RequestGate();  // stops
  RequestGate(const RequestGate&) = delete;
  RequestGate& operator=(const RequestGate&) = delete;

  // Starts the thread; false with `error` when the kernel refuses epoll or eventfd.
  bool start(std::string& error);
  // Stops the thread and closes every waiting connection. Prompt and idempotent.
  void stop();

 private:
  struct Pending {
    std::chrono::steady_clock::time_point deadline;
    bool draining = false;  // refused: reading and discarding until EOF
    std::size_t drained = 0;
  };

  void run();
  void accept_all();
  void examine(int fd, Pending& pending, bool peer_hung_up);
  void refuse(int fd, Pending& pending, int status);
  void drain(int fd, Pending& pending);
  void expire();
  void close_pending(int fd);

  int listen_fd_;
  GateLimits limits_;
  HandOff hand_off_;
  int epoll_fd_ = -1, wake_fd_ = -1;
  std::thread thread_;
  std::unordered_map<int, Pending> pending_;  // only the gate's thread touches it while running
  std::vector<char> peek_;
};

}  // namespace cshield
