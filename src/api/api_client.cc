#include "api/api_client.h"

#include <memory>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace cshield {

namespace {

using Poco::JSON::Object;

const Poco::Timespan kConnectTimeout(5, 0);
const Poco::Timespan kReplyTimeout(40, 0);  // beyond the longest long-poll (GET /api/v1/alarms?wait=30)

Poco::Dynamic::Var parse_json(const std::string& text) {
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(text);
  } catch (const Poco::Exception&) {
    return {};
  }
}

}  // namespace

std::string ApiReply::error_message() const {
  if (!reached()) return transport_error;
  if (json.type() == typeid(Object::Ptr)) {
    auto error = json.extract<Object::Ptr>()->getObject("error");
    if (error && error->has("message")) return error->getValue<std::string>("message");
  }
  return "HTTP " + std::to_string(status) + " " +
         Poco::Net::HTTPResponse::getReasonForStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}

ApiClient ApiClient::over_unix_socket(std::string path) {
  ApiClient c;
  c.socket_path_ = std::move(path);
  c.where_ = c.socket_path_;
  return c;
}

std::optional<ApiClient> ApiClient::over_tcp(const std::string& url, std::string token, std::string& error) {
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "http" || uri.getHost().empty() ||
        (!uri.getPath().empty() && uri.getPath() != "/") || !uri.getRawQuery().empty()) {
      error = "unsupported API URL '" + url + "': expected http://host[:port], e.g. http://127.0.0.1:8741";
      return std::nullopt;
    }
    ApiClient c;
    c.host_ = uri.getHost();
    c.port_ = uri.getPort();
    c.token_ = std::move(token);
    c.where_ = uri.getAuthority();
    return c;
  } catch (const Poco::Exception& e) {
    error = "invalid API URL '" + url + "': " + e.displayText();
    return std::nullopt;
  }
}

ApiReply ApiClient::call(const std::string& method, const std::string& target, const std::string& json_body) const {
  ApiReply reply;
  const std::string hint = " — is cshieldd running?";
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  try {
    if (!socket_path_.empty()) {
      Poco::Net::StreamSocket socket;
      socket.connect(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, socket_path_), kConnectTimeout);
      session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
      session->setTimeout(kReplyTimeout);
      request.setHost("localhost");
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
      session->setTimeout(kConnectTimeout, kReplyTimeout, kReplyTimeout);
      request.setHost(host_, port_);
    }
    if (!token_.empty()) request.set("Authorization", "Bearer " + token_);
    if (!json_body.empty()) {
      request.setContentType("application/json; charset=utf-8");
      request.setContentLength(static_cast<std::streamsize>(json_body.size()));
    }
    session->sendRequest(request) << json_body;
  } catch (const Poco::Exception& e) {
    reply.transport_error = "cannot connect to " + where_ + ": " + e.displayText() + hint;
    return reply;
  }
  try {
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    Poco::StreamCopier::copyToString(in, reply.body);
    reply.status = static_cast<int>(response.getStatus());
  } catch (const Poco::Exception& e) {
    reply.transport_error = "no reply from " + where_ + ": " + e.displayText() + hint;
    return reply;
  }
  reply.json = parse_json(reply.body);
  return reply;
}

}  // namespace cshield
