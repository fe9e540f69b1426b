// The HTTP client of cshieldctl: one request per call, over the daemon's
// Unix socket or over loopback TCP with a bearer token. Never throws: a
// daemon that cannot be reached is reported in ApiReply::transport_error.
// A client may be used from one thread at a time.
#pragma once

#include <optional>
#include <string>

#include <Poco/Dynamic/Var.h>

namespace cshield {

constexpr const char* kDefaultApiSocket = "/run/cshield/api.sock";

struct ApiReply {
  std::string transport_error;  // non-empty: no reply was received, and why
  int status = 0;               // the HTTP status
  std::string body;
  Poco::Dynamic::Var json;      // the parsed body; empty when it is not JSON

  bool reached() const { return transport_error.empty(); }
  bool ok() const { return reached() && status >= 200 && status < 300; }
  // What went wrong, for people: the transport error, the message of the
  // API's error body, or "HTTP <status>".
  std::string error_message() const;
};

class ApiClient {
 public:
  static ApiClient over_unix_socket(std::string path);
  // `url` is http://host[:port]; nullopt (with `error`) for anything else.
  static std::optional<ApiClient> over_tcp(const std::string& url, std::string token, std::string& error);

  // `target` is the path and query: /api/v1/alarms?type=file_escape. A
  // non-empty `json_body` is sent as application/json.
  ApiReply call(const std::string& method, const std::string& target, const std::string& json_body = "") const;

  // Where requests go, for messages: the socket path or host:port.
  const std::string& where() const { return where_; }

 private:
  ApiClient() = default;
  std::string socket_path_;  // empty: TCP
  std::string host_;
  unsigned short port_ = 0;
  std::string token_;
  std::string where_;
};

}  // namespace cshield
