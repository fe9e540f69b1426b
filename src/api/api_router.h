// Maps one HTTP request to one response for the routes of API.md, over an
// ApiContext. Transport-free (no sockets, no authentication) so it can be
// reused and tested on its own. handle() never throws: every failure becomes
// the API's error body. Thread-safe as far as the context is.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "api/api_context.h"
#include "api/long_poll_gate.h"

namespace cshield {

constexpr std::size_t kMaxRequestBody = 64 * 1024;  // larger bodies get 413

struct ApiRequest {
  std::string method;  // GET, PATCH, ...
  std::string target;  // path and query as sent: /api/v1/alarms?type=file_escape
  std::string body;    // callers may stop reading after kMaxRequestBody + 1 bytes
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::string allow;  // the Allow header of a 405
};

// GET /api/v1/alarms?wait=N holds the calling thread while the page is
// empty, until the context's alarm_writes signal says something was stored
// (then it looks again), N seconds pass or stop_waiting() is called; at
// most `max_waiters` requests are held at once (the next get 503).
class ApiRouter {
 public:
  explicit ApiRouter(const ApiContext& context, std::size_t max_waiters = 0)
      : ctx_(context), waits_(std::make_unique<LongPollGate>(max_waiters)) {}
  ApiResponse handle(const ApiRequest& request) const noexcept;

  // Held requests answer at once (with the page they have) and no request
  // is held any more, until allow_waiting(). From the controlling thread.
  void stop_waiting() { waits_->close(ctx_.alarm_writes); }
  void allow_waiting() { waits_->open(); }
  // Requests held right now.
  std::size_t waiting() const { return waits_->held(); }

 private:
  ApiContext ctx_;
  std::unique_ptr<LongPollGate> waits_;  // mutable state of a const handle()
};

}  // namespace cshield
