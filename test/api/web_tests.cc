#define BOOST_TEST_MODULE web
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <string>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include "api/api_server.h"
#include "api/web_files.h"
#include "api/web_site.h"
#include "store/sqlite_store.h"

using namespace cshield;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "s3cret-token-for-web-tests";

std::string header(const WebResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

struct TempDir {
  fs::path dir;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cshield-web-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

// A real server (store, Unix socket and loopback TCP with a token).
struct LiveServer {
  TempDir tmp;
  SqliteStore store{(tmp.dir / "alarms.db").string(), StoreOptions{}};
  ApiContext context{store, nullptr, [] { return true; }, nullptr};
  ApiServer server{context, [this] {
                     ApiOptions o;
                     o.socket_path = (tmp.dir / "api.sock").string();
                     o.listen = "127.0.0.1:0";
                     o.token = kToken;
                     o.threads = 2;
                     return o;
                   }()};
  LiveServer() {
    std::string error;
    BOOST_REQUIRE_MESSAGE(server.start(error), error);
  }
  Reply call(const std::string& method, const std::string& target, const std::string& token = "",
             const std::string& if_none_match = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", server.tcp_port());
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    if (!if_none_match.empty()) request.set("If-None-Match", if_none_match);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    Reply r;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), r.body);
    r.status = response.getStatus();
    for (const auto& [k, v] : response) r.headers[k] = v;
    return r;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_page_file_is_embedded_with_its_content_type) {
  std::map<std::string, std::string> expected{
      {"/", "text/html; charset=utf-8"},           {"/ui/app.css", "text/css; charset=utf-8"},
      {"/ui/app.js", "text/javascript; charset=utf-8"}, {"/ui/api.js", "text/javascript; charset=utf-8"},
      {"/ui/alarms.js", "text/javascript; charset=utf-8"}, {"/ui/policy.js", "text/javascript; charset=utf-8"},
      {"/ui/containers.js", "text/javascript; charset=utf-8"}, {"/ui/dom.js", "text/javascript; charset=utf-8"}};
  for (const auto& [url, type] : expected) {
    WebResponse r = serve_web("GET", url, "");
    BOOST_TEST(r.status == 200, url);
    BOOST_TEST(r.content_type == type, url);
    BOOST_TEST(!r.body.empty(), url);
  }
  BOOST_TEST(serve_web("GET", "/index.html", "").body == serve_web("GET", "/", "").body);
  // Every embedded file is served exactly as it is in web/.
  for (const WebFile& f : web_files()) BOOST_TEST(serve_web("GET", std::string(f.url), "").body == f.body);
}

BOOST_AUTO_TEST_CASE(pages_carry_a_strict_csp_and_revalidate_by_etag) {
  WebResponse r = serve_web("GET", "/ui/app.js?v=1", "");
  BOOST_TEST(r.status == 200);
  const std::string csp = header(r, "Content-Security-Policy");
  BOOST_TEST(csp.find("default-src 'none'") != std::string::npos);
  BOOST_TEST(csp.find("script-src 'self'") != std::string::npos);
  BOOST_TEST(csp.find("connect-src 'self'") != std::string::npos);
  BOOST_TEST(csp.find("frame-ancestors 'none'") != std::string::npos);
  BOOST_TEST(csp.find("unsafe-inline") == std::string::npos);
  BOOST_TEST(csp.find("unsafe-eval") == std::string::npos);
  BOOST_TEST(header(r, "X-Content-Type-Options") == "nosniff");
  BOOST_TEST(header(r, "Cache-Control") == "no-cache");
  const std::string etag = header(r, "ETag");
  BOOST_TEST(etag.size() > 2);
  WebResponse again = serve_web("GET", "/ui/app.js", etag);
  BOOST_TEST(again.status == 304);
  BOOST_TEST(again.body.empty());
  BOOST_TEST(serve_web("GET", "/ui/app.js", "\"stale\"").status == 200);
}

BOOST_AUTO_TEST_CASE(pages_have_no_inline_script_or_external_asset) {
  for (const WebFile& f : web_files()) {
    std::string body(f.body);
    const std::string svg_namespace = "xmlns=\"http://www.w3.org/2000/svg\"";  // a name, never fetched
    if (auto at = body.find(svg_namespace); at != std::string::npos) body.erase(at, svg_namespace.size());
    BOOST_TEST(body.find("http://") == std::string::npos, f.url);
    BOOST_TEST(body.find("https://") == std::string::npos, f.url);
    BOOST_TEST(body.find("innerHTML") == std::string::npos, f.url);
    BOOST_TEST(body.find("eval(") == std::string::npos, f.url);
  }
  const std::string index(serve_web("GET", "/", "").body);
  BOOST_TEST(index.find("<script>") == std::string::npos);
  BOOST_TEST(index.find(" style=") == std::string::npos);
  BOOST_TEST(index.find(" onclick=") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_files_are_404_and_writes_405) {
  BOOST_TEST(serve_web("GET", "/ui/nope.js", "").status == 404);
  BOOST_TEST(serve_web("GET", "/ui/", "").status == 404);
  BOOST_TEST(serve_web("GET", "/ui/../api/v1/alarms", "").status == 404);
  WebResponse post = serve_web("POST", "/", "");
  BOOST_TEST(post.status == 405);
  BOOST_TEST(header(post, "Allow") == "GET, HEAD");
  BOOST_TEST(!header(post, "Content-Security-Policy").empty());
  BOOST_TEST(is_web_path("/"));
  BOOST_TEST(is_web_path("/ui/app.js"));
  BOOST_TEST(!is_web_path("/api/v1/alarms"));
  BOOST_TEST(!is_web_path("/healthz"));
  BOOST_TEST(!is_web_path("/uix"));
}

BOOST_AUTO_TEST_CASE(on_tcp_pages_are_public_and_data_needs_the_token) {
  LiveServer s;
  Reply page = s.call("GET", "/");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(page.headers["Content-Type"] == "text/html; charset=utf-8");
  BOOST_TEST(page.headers["Content-Security-Policy"] == kWebContentSecurityPolicy);
  BOOST_TEST(page.body.find("/ui/app.js") != std::string::npos);
  // Page files close their connection: idle keep-alives would hold the API's few threads.
  BOOST_TEST(Poco::icompare(page.headers["Connection"], std::string("close")) == 0);
  Reply css = s.call("GET", "/ui/app.css");
  BOOST_TEST(css.status == 200);
  BOOST_TEST(css.headers["Content-Type"] == "text/css; charset=utf-8");
  Reply cached = s.call("GET", "/ui/app.css", "", css.headers["ETag"]);
  BOOST_TEST(cached.status == 304);
  Reply head = s.call("HEAD", "/ui/app.js");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
  BOOST_TEST(s.call("GET", "/ui/missing.js").status == 404);
  BOOST_TEST(s.call("PUT", "/ui/app.js").status == 405);

  for (const char* data : {"/api/v1/alarms", "/api/v1/alarms/summary", "/api/v1/containers", "/api/v1/status",
                           "/metrics", "/healthz", "/api/v1/alarms/1", "/api/v1/policy-groups"}) {
    Reply r = s.call("GET", data);
    BOOST_TEST(r.status == 401, data);
    BOOST_TEST(r.headers["WWW-Authenticate"] == "Bearer", data);
    BOOST_TEST(s.call("GET", data, "wrong-token-wrong-token").status == 401, data);
  }
  BOOST_TEST(s.call("GET", "/api/v1/alarms", kToken).status == 200);
  BOOST_TEST(s.call("GET", "/", kToken).status == 200);  // a token does no harm on a page
}
