// Serves the web UI's embedded files (web_files.h): "/" and "/ui/...".
// The pages hold no data (every alarm, container and policy group is fetched
// by the page through the REST API with the bearer token), so on loopback
// TCP they are answered without a token; the API itself still needs one.
// Every answer carries a strict Content-Security-Policy (scripts, styles and
// connections from the daemon itself only; no inline script or style, no
// framing) and is revalidated by ETag, so an upgraded daemon never serves a
// stale page. Pure and thread-safe; never throws.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace cshield {

struct WebResponse {
  int status = 200;
  std::string content_type;
  std::string body;  // empty for 304; for HEAD the server sends only its length
  std::vector<std::pair<std::string, std::string>> headers;
};

// The Content-Security-Policy of every page.
extern const char kWebContentSecurityPolicy[];

// Whether `path` (without query) belongs to the web UI rather than the API:
// "/", "/index.html" and everything under "/ui/".
bool is_web_path(const std::string& path);

// The answer to `method` (GET or HEAD; others get 405) on `target` (path and
// query), given the request's If-None-Match header (empty when absent).
// Unknown files under /ui/ get 404.
WebResponse serve_web(const std::string& method, const std::string& target, const std::string& if_none_match);

}  // namespace cshield
