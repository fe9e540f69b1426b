#include "api/api_server.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <istream>
#include <ostream>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/ThreadPool.h>

#include "api/api_error.h"
#include "api/api_listeners.h"
#include "api/gated_http_server.h"
#include "api/peer_credentials.h"
#include "api/web_site.h"

namespace cshield {

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

bool equal_constant_time(const std::string& expected, const std::string& given) {
  unsigned char diff = expected.size() == given.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

bool authorized(const HTTPServerRequest& request, const std::string& token) {
  static const std::string kScheme = "Bearer ";
  const std::string& header = request.get("Authorization", "");
  if (header.compare(0, kScheme.size(), kScheme) != 0) return false;
  return equal_constant_time(token, header.substr(kScheme.size()));
}

// Reads at most kMaxRequestBody + 1 bytes and discards the rest of a body up
// to kMaxDrained, so that the connection stays usable after a 413. Sets
// `complete` when the body ended within that (else the connection must close).
constexpr std::size_t kMaxDrained = 1024 * 1024;

std::string read_body(HTTPServerRequest& request, bool& complete) {
  std::string body;
  complete = true;
  // HTTP/1.1: without either header a request has no body.
  if (!request.hasContentLength() && !request.getChunkedTransferEncoding()) return body;
  std::istream& in = request.stream();
  char buf[8192];
  std::size_t total = 0;
  while (in && total <= kMaxDrained) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (body.size() <= kMaxRequestBody) body.append(buf, std::min(n, kMaxRequestBody + 1 - body.size()));
    total += n;
  }
  complete = total <= kMaxDrained;
  return body;
}

void send(HTTPServerResponse& response, const ApiResponse& r) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
  response.setContentType(r.content_type);
  response.set("Cache-Control", "no-store");
  if (!r.allow.empty()) response.set("Allow", r.allow);
  if (r.status == 401) response.set("WWW-Authenticate", "Bearer");
  response.setContentLength(static_cast<std::streamsize>(r.body.size()));
  response.send() << r.body;
}

// Every response closes its connection (see gated_http_server.h).
void send_web(HTTPServerRequest& request, HTTPServerResponse& response) {
  const WebResponse r = serve_web(request.getMethod(), request.getURI(), request.get("If-None-Match", ""));
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
  if (!r.content_type.empty()) response.setContentType(r.content_type);
  for (const auto& [name, value] : r.headers) response.set(name, value);
  if (r.status == 304) {
    response.send();
    return;
  }
  response.setContentLength(static_cast<std::streamsize>(r.body.size()));
  std::ostream& out = response.send();
  if (request.getMethod() != "HEAD") out << r.body;
}

// The path of a request target, without query.
std::string path_of(const std::string& uri) { return uri.substr(0, uri.find_first_of("?#")); }

// Whether the peer of a Unix-socket request may use the API (see
// peer_credentials.h). Unknown credentials are refused.
bool unix_peer_allowed(HTTPServerRequest& request, gid_t group) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (!impl) return false;
  auto peer = peer_credentials(impl->socket().impl()->sockfd());
  return peer && peer_may_use_api(*peer, group);
}

// API threads run at nice 10: under load (hundreds of clients, two cores)
// the reader and pipeline threads, which must keep up with the kernel, get
// the CPU first. Once per thread; Linux nices threads one by one.
void yield_to_detection() {
  thread_local bool done = false;
  if (done) return;
  done = true;
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
}

class RequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  // `token` null: the Unix socket, where `socket_gid` names who may connect.
  RequestHandler(const ApiRouter& router, const std::string* token, gid_t socket_gid)
      : router_(router), token_(token), socket_gid_(socket_gid) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    yield_to_detection();
    try {
      if (!token_ && !unix_peer_allowed(request, socket_gid_)) {
        response.setKeepAlive(false);
        ApiResponse r;
        r.status = 403;
        r.body = error_body(api_error(403, "this user may not use the cshield API: ask for membership of the socket's group"));
        send(response, r);
        return;
      }
      // The web pages hold no data: public on TCP (see web_site.h); the API below needs the token.
      if (is_web_path(path_of(request.getURI()))) {
        bool complete = false;
        read_body(request, complete);
        if (!complete) response.setKeepAlive(false);
        send_web(request, response);
        return;
      }
      if (token_ && !authorized(request, *token_)) {
        response.setKeepAlive(false);  // the unread body must not be taken for the next request
        ApiResponse r;
        r.status = 401;
        r.body = error_body(api_error(401, "missing or wrong bearer token (send \"Authorization: Bearer <token>\")"));
        send(response, r);
        return;
      }
      bool complete = false;
      ApiRequest api_request{request.getMethod(), request.getURI(), read_body(request, complete)};
      if (!complete) response.setKeepAlive(false);
      send(response, router_.handle(api_request));
    } catch (...) {
      // The connection broke while reading or writing: there is no one left to answer.
    }
  }

 private:
  const ApiRouter& router_;
  const std::string* token_;  // null: no token (the Unix socket): peer credentials instead
  gid_t socket_gid_;
};

class HandlerFactory : public AbortableHandlerFactory {
 public:
  HandlerFactory(const ApiRouter& router, const std::string* token, gid_t socket_gid = 0)
      : router_(router), token_(token), socket_gid_(socket_gid) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new RequestHandler(router_, token_, socket_gid_);
  }

 private:
  const ApiRouter& router_;
  const std::string* token_;
  gid_t socket_gid_;
};

// The metrics listener: GET /metrics and /healthz, anything else 404.
class MetricsHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit MetricsHandler(const ApiRouter& router) : router_(router) {}
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    try {
      response.setKeepAlive(false);
      const std::string& uri = request.getURI();
      const std::string path = uri.substr(0, uri.find('?'));
      if ((path == "/metrics" || path == "/healthz") && request.getMethod() == "GET") {
        send(response, router_.handle(ApiRequest{"GET", uri, ""}));
        return;
      }
      ApiResponse r;
      r.status = 404;
      r.body = error_body(api_error(404, "this listener serves GET /metrics and /healthz only"));
      send(response, r);
    } catch (...) {
      // The connection broke: no one is left to answer.
    }
  }

 private:
  const ApiRouter& router_;
};

class MetricsHandlerFactory : public AbortableHandlerFactory {
 public:
  explicit MetricsHandlerFactory(const ApiRouter& router) : router_(router) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new MetricsHandler(router_);
  }

 private:
  const ApiRouter& router_;
};

// Long-polls (GET /api/v1/alarms?wait=N) hold a worker each: two workers of
// every listener stay free for everything else (the cap is shared by the
// listeners, so each keeps at least two).
std::size_t max_waiters(int threads) { return static_cast<std::size_t>(std::max(0, threads - 2)); }

}  // namespace

ApiServer::ApiServer(const ApiContext& context, ApiOptions options)
    : router_(context, max_waiters(options.threads)), options_(std::move(options)) {}

ApiServer::~ApiServer() { stop(); }

bool ApiServer::start(std::string& error) {
  if (pool_) {
    error = "the API server is already running";
    return false;
  }
  if (options_.socket_path.empty() && options_.listen.empty()) {
    error = "the API has neither a socket nor a listen address";
    return false;
  }
  if (!options_.listen.empty() && options_.token.empty()) {
    error = "the TCP API (" + options_.listen + ") needs a token: set [api] token_file";
    return false;
  }
  const int threads = std::max(1, options_.threads);
  std::optional<Poco::Net::ServerSocket> tcp_socket, unix_socket, metrics_socket;
  if (!options_.listen.empty() && !(tcp_socket = bind_loopback_tcp(options_.listen, error))) return false;
  if (!options_.metrics_listen.empty() && !(metrics_socket = bind_any_tcp(options_.metrics_listen, error)))
    return false;
  if (!options_.socket_path.empty() &&
      !(unix_socket = bind_unix_socket(options_.socket_path, options_.socket_group, error)))
    return false;
  socket_file_created_ = unix_socket.has_value();
  router_.allow_waiting();
  GateLimits limits;
  limits.framing.max_body = kMaxRequestBody;
  limits.deadline = options_.request_deadline;
  limits.max_pending = options_.max_pending;
  try {
    pool_ = std::make_unique<Poco::ThreadPool>(1, 2 * threads + 2);  // + the metrics listener's two
    if (unix_socket) {
      struct stat st {};
      const gid_t socket_gid = ::stat(options_.socket_path.c_str(), &st) == 0 ? st.st_gid : ::getegid();
      unix_server_ = std::make_unique<GatedHttpServer>(*unix_socket, new HandlerFactory(router_, nullptr, socket_gid),
                                                       *pool_, threads, limits);
    }
    if (tcp_socket)
      tcp_server_ = std::make_unique<GatedHttpServer>(*tcp_socket, new HandlerFactory(router_, &options_.token),
                                                      *pool_, threads, limits);
    if (metrics_socket)
      metrics_server_ = std::make_unique<GatedHttpServer>(*metrics_socket, new MetricsHandlerFactory(router_),
                                                          *pool_, 2, limits);
  } catch (const Poco::Exception& e) {
    error = "cannot start the API server: " + e.displayText();
    stop();
    return false;
  }
  for (auto* server : {&unix_server_, &tcp_server_, &metrics_server_}) {
    if (*server && !(*server)->start(error)) {
      stop();
      return false;
    }
  }
  if (tcp_server_) tcp_port_ = tcp_server_->port();
  if (metrics_server_) metrics_port_ = metrics_server_->port();
  return true;
}

void ApiServer::stop() {
  router_.stop_waiting();  // held long-polls answer now, so their workers are free to be joined
  for (auto* server : {&unix_server_, &tcp_server_, &metrics_server_}) {
    if (*server) (*server)->stop();
  }
  if (pool_) pool_->joinAll();
  unix_server_.reset();
  tcp_server_.reset();
  metrics_server_.reset();
  pool_.reset();
  tcp_port_ = metrics_port_ = 0;
  if (socket_file_created_) ::unlink(options_.socket_path.c_str());
  socket_file_created_ = false;
}

}  // namespace cshield
