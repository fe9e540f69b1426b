// The one error shape of the REST API: {"error":{"code":"...","message":"..."}}
// with a fitting HTTP status. Plain value type.
#pragma once

#include <string>

namespace cshield {

struct ApiError {
  int status = 500;
  std::string code;     // derived from status: bad_request, not_found, ...
  std::string message;  // for people: says what was wrong and, when useful, how to fix it
};

// Builds the error of an HTTP status (400, 401, 403, 404, 405, 408, 409, 413, 422, 431, 500, 503).
ApiError api_error(int status, std::string message);

// The JSON body of an error.
std::string error_body(const ApiError& error);

}  // namespace cshield
