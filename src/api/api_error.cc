#include "api/api_error.h"

#include <Poco/JSON/Object.h>

#include "api/alarm_json.h"

namespace cshield {

namespace {
const char* code_of(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "request_timeout";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 422: return "unprocessable_entity";
    case 431: return "header_too_large";
    case 503: return "unavailable";
    default: return "internal_error";
  }
}
}  // namespace

ApiError api_error(int status, std::string message) {
  return ApiError{status, code_of(status), std::move(message)};
}

std::string error_body(const ApiError& error) {
  Poco::JSON::Object::Ptr inner = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  inner->set("code", error.code);
  inner->set("message", error.message);
  Poco::JSON::Object::Ptr outer = new Poco::JSON::Object;
  outer->set("error", inner);
  return to_json_text(outer);
}

}  // namespace cshield
