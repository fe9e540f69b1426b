// Maps one HTTP request to one response for the routes of API.md, over an
// ApiContext. Transport-free (no sockets, no authentication) so it can be
// reused and tested on its own. handle() never throws: every failure becomes
// the API's error body. Thread-safe as far as the context is.
#pragma once

#include <cstddef>
#include <string>

#include "api/api_context.h"

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

class ApiRouter {
 public:
  explicit ApiRouter(const ApiContext& context) : ctx_(context) {}
  ApiResponse handle(const ApiRequest& request) const noexcept;

 private:
  ApiContext ctx_;
};

}  // namespace cshield
