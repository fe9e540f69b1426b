#include "api/web_site.h"

#include <algorithm>

#include "api/web_files.h"

namespace cshield {

const char kWebContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

namespace {

std::string path_of(const std::string& target) { return target.substr(0, target.find_first_of("?#")); }

const char* content_type_of(std::string_view url) {
  auto ends_with = [url](std::string_view ext) {
    return url.size() >= ext.size() && url.compare(url.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (url == "/" || ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js") || ends_with(".mjs")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".json")) return "application/json; charset=utf-8";
  if (ends_with(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Whether the If-None-Match list holds `etag` (or "*").
bool etag_matches(const std::string& if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match.find('*') != std::string::npos) return true;
  return if_none_match.find(etag) != std::string::npos;
}

WebResponse with_security_headers(WebResponse r) {
  r.headers.emplace_back("Content-Security-Policy", kWebContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  return r;
}

WebResponse plain(int status, std::string text) {
  WebResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  r.headers.emplace_back("Cache-Control", "no-store");
  return with_security_headers(std::move(r));
}

}  // namespace

bool is_web_path(const std::string& path) {
  return path == "/" || path == "/index.html" || path.compare(0, 4, "/ui/") == 0;
}

WebResponse serve_web(const std::string& method, const std::string& target, const std::string& if_none_match) {
  try {
    if (method != "GET" && method != "HEAD") {
      WebResponse r = plain(405, "method " + method + " is not allowed on the web pages\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    std::string path = path_of(target);
    if (path == "/index.html") path = "/";
    const auto& files = web_files();
    const auto it = std::find_if(files.begin(), files.end(), [&path](const WebFile& f) { return f.url == path; });
    if (it == files.end() || it->url != path) return plain(404, "no such page: " + path + "\n");
    WebResponse r;
    r.content_type = content_type_of(it->url);
    // no-cache: the browser may keep a copy but asks (by ETag) before using it.
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("ETag", std::string(it->etag));
    if (etag_matches(if_none_match, it->etag))
      r.status = 304;
    else
      r.body = std::string(it->body);
    return with_security_headers(std::move(r));
  } catch (...) {  // out of memory
    WebResponse r;
    r.status = 500;
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
}

}  // namespace cshield
