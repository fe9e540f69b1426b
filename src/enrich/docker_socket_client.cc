#include "enrich/docker_socket_client.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <istream>

#include "enrich/json_fields.h"

namespace cshield {
namespace {

constexpr std::size_t kMaxResponseBytes = 4 << 20;

bool is_safe_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  c == '.' || c == '-';
         });
}

std::string read_bounded(std::istream& in, std::size_t max) {
  std::string out;
  char buf[8192];
  while (out.size() < max && in.read(buf, sizeof buf).gcount() > 0)
    out.append(buf, static_cast<std::size_t>(in.gcount()));
  return out;
}

}  // namespace

DockerSocketClient::DockerSocketClient(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

std::optional<DockerContainer> DockerSocketClient::inspect(const std::string& id) const {
  if (!is_safe_id(id)) return std::nullopt;
  try {
    const Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(timeout_.count()) * 1000);
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, socket_path_), timeout);
    socket.setSendTimeout(timeout);
    socket.setReceiveTimeout(timeout);
    Poco::Net::HTTPClientSession session(socket);
    session.setTimeout(timeout);
    session.setKeepAlive(false);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/containers/" + id + "/json",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost("docker");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) return std::nullopt;
    return parse_docker_container_json(read_bounded(body, kMaxResponseBytes));
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<DockerContainer> parse_docker_container_json(const std::string& text) {
  try {
    auto doc = json::parse_object(text);
    if (!doc) return std::nullopt;
    DockerContainer c;
    c.name = json::string(doc, "Name");
    if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
    auto config = json::object(doc, "Config");
    c.image = json::string(config, "Image");
    if (auto labels = json::object(config, "Labels")) {
      for (const auto& key : labels->getNames()) {
        c.labels.emplace(key, json::string(labels, key));
      }
    }
    return c;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace cshield
