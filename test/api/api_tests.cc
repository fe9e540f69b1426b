#define BOOST_TEST_MODULE api
#include <boost/test/unit_test.hpp>

#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "api/alarm_json.h"
#include "api/alarm_query_params.h"
#include "api/api_client.h"
#include "api/api_server.h"
#include "api/ctl_commands.h"
#include "api/prometheus_text.h"
#include "core/counters.h"
#include "core/time_format.h"
#include "store/sqlite_store.h"

using namespace cshield;
namespace fs = std::filesystem;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr std::int64_t kT0 = 1764175801000;  // 2025-11-26T16:50:01Z
constexpr std::int64_t kMinute = 60 * 1000;
const std::string kToken = "s3cret-token-for-tests";
const std::string kWebId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kDbId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

struct TempDir {
  fs::path dir;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cshield-api-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

ContainerInfo web_container() {
  ContainerInfo c;
  c.id = kWebId;
  c.runtime = "docker";
  c.name = "web-1";
  c.image = "nginx:1.27";
  return c;
}

ContainerInfo db_container() {
  ContainerInfo c;
  c.id = kDbId;
  c.runtime = "containerd";
  c.name = "db-1";
  c.image = "postgres:16";
  c.pod = "db-0";
  c.namespace_ = "prod";
  return c;
}

Alarm alarm_at(std::string_view type, const std::string& subtype, std::int64_t t,
               std::optional<ContainerInfo> container, const std::string& exe) {
  Alarm a = make_alarm(type, subtype, subtype);
  a.first_seen_ms = a.last_seen_ms = t;
  a.container = std::move(container);
  a.process.pid = 4242;
  a.process.ppid = 4200;
  a.process.exe = exe;
  a.process.comm = fs::path(exe).filename().string();
  a.process.cmdline = a.process.comm + " -p 1";
  a.process.uid = a.process.euid = 0;
  a.process.auid = 4294967295;
  a.audit_serial = 18734;
  a.audit_time_ms = t;
  a.description = a.process.comm + " raised " + subtype;
  return a;
}

// 29 alarms, one minute apart, ids 1..29 in time order.
std::vector<Alarm> seed_alarms() {
  std::vector<Alarm> v;
  Alarm ptrace = alarm_at("high_risk_syscall", "ptrace", kT0, web_container(), "/usr/bin/strace");
  ptrace.syscall = "ptrace";
  ptrace.evidence_json = R"({"syscall":"ptrace","exit":0,"success":true})";
  v.push_back(ptrace);
  Alarm shadow = alarm_at("file_escape", "host_file", kT0 + kMinute, db_container(), "/bin/cat");
  shadow.path = "/etc/shadow";
  v.push_back(shadow);
  Alarm cow = alarm_at("vulnerability_escape", "dirty_cow", kT0 + 2 * kMinute, web_container(), "/tmp/cow");
  cow.path = "/proc/self/mem";
  v.push_back(cow);
  Alarm startup = alarm_at("abnormal_startup", "startup", kT0 + 3 * kMinute, db_container(), "/usr/bin/runc");
  startup.evidence_json = R"({"findings":["privileged:true","seccomp=unconfined"]})";
  v.push_back(startup);
  const char* syscalls[] = {"mount", "setns", "unshare", "bpf"};
  for (int i = 4; i < 28; ++i) {
    std::string sc = syscalls[i % 4];
    Alarm a = alarm_at("high_risk_syscall", sc, kT0 + i * kMinute, i % 2 ? db_container() : web_container(),
                       "/usr/bin/tool" + std::to_string(i));
    a.syscall = sc;
    v.push_back(a);
  }
  Alarm host = alarm_at("high_risk_syscall", "mount", kT0 + 28 * kMinute, std::nullopt, "/usr/bin/mount");
  host.syscall = "mount";
  v.push_back(host);
  return v;
}

Object::Ptr as_object(const Var& v) {
  BOOST_REQUIRE_MESSAGE(v.type() == typeid(Object::Ptr), "not a JSON object");
  return v.extract<Object::Ptr>();
}

Var parse(const std::string& text) {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  return parser.parse(text);
}

ApiOptions options_for(const std::string& socket_path, const std::string& listen, const std::string& token) {
  ApiOptions o;
  o.socket_path = socket_path;
  o.listen = listen;
  o.token = token;
  o.threads = 2;
  return o;
}

std::string error_code(const ApiReply& r) {
  auto e = as_object(r.json)->getObject("error");
  BOOST_REQUIRE(e);
  BOOST_TEST(!e->getValue<std::string>("message").empty());
  return e->getValue<std::string>("code");
}

// A status line and the headers the API client does not expose.
struct RawReply {
  int status = 0;
  std::string content_type, allow, body;
};

// A real store with seeded alarms behind a real server on a temporary Unix
// socket and on 127.0.0.1 with an ephemeral port.
struct LiveServer {
  TempDir tmp;
  std::string socket_path = tmp.file("api.sock");
  SqliteStore store{tmp.file("alarms.db"), StoreOptions{}};
  std::vector<Alarm> seeded = seed_alarms();
  std::atomic<bool> healthy{true};
  std::atomic<bool> store_refuses{false};
  Counters counters;
  ApiContext context{store,
                     [] {
                       Object::Ptr s = new Object;
                       s->set("mode", "netlink");
                       Object::Ptr audit = new Object;
                       audit->set("enabled", 1);
                       audit->set("lost", 0);
                       s->set("audit", audit);
                       return s;
                     },
                     [this] { return healthy.load(); },
                     [this] { return prometheus_text(counters); },
                     nullptr,
                     [this] {
                       return store_refuses ? std::vector<std::string>{"the alarm store refuses writes"}
                                            : std::vector<std::string>{};
                     }};
  ApiServer server{context, options_for(socket_path, "127.0.0.1:0", kToken)};

  LiveServer() {
    counters.counter("source.records", "Audit records read").add(7);
    counters.gauge("queue.records.depth", "Records waiting").set(3);
    auto ids = store.write(seeded);
    for (std::size_t i = 0; i < ids.size(); ++i) seeded[i].id = ids[i];
    std::string error;
    BOOST_REQUIRE_MESSAGE(server.start(error), error);
    BOOST_REQUIRE(server.tcp_port() != 0);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.tcp_port()); }

  ApiReply unix_call(const std::string& method, const std::string& target, const std::string& body = "") const {
    return ApiClient::over_unix_socket(socket_path).call(method, target, body);
  }
  ApiReply tcp_call(const std::string& token, const std::string& target) const {
    std::string error;
    auto client = ApiClient::over_tcp(url(), token, error);
    BOOST_REQUIRE_MESSAGE(client, error);
    return client->call("GET", target);
  }
  Object::Ptr get(const std::string& target) const {
    ApiReply r = unix_call("GET", target);
    BOOST_REQUIRE_MESSAGE(r.status == 200, target << ": " << r.status << " " << r.body);
    return as_object(r.json);
  }
  RawReply raw(const std::string& method, const std::string& target) const {
    Poco::Net::HTTPClientSession session("127.0.0.1", server.tcp_port());
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + kToken);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    RawReply r;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), r.body);
    r.status = response.getStatus();
    r.content_type = response.getContentType();
    r.allow = response.get("Allow", "");
    return r;
  }
  std::size_t count_where(const std::function<bool(const Alarm&)>& pred) const {
    return static_cast<std::size_t>(std::count_if(seeded.begin(), seeded.end(), pred));
  }
  // Runs cshieldctl against this server's socket.
  int ctl(std::vector<std::string> args, std::string& out, std::string& err) const {
    args.insert(args.begin(), {"--socket", socket_path});
    std::ostringstream o, e;
    int rc = run_client_command(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
  }
};

std::size_t item_count(const Object::Ptr& page) { return page->getArray("items")->size(); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Same keys, same JSON kinds, recursively. A null in `expected` allows null
// or a string (pod, namespace, path); an empty expected object matches any object.
void check_shape(const Object::Ptr& expected, const Object::Ptr& actual, const std::string& where) {
  for (const auto& [key, ev] : *expected) {
    BOOST_TEST_CONTEXT(where + key) {
      BOOST_REQUIRE(actual->has(key));
      const Var& av = actual->get(key);
      if (ev.isEmpty()) {
        BOOST_TEST((av.isEmpty() || av.isString()));
      } else if (ev.type() == typeid(Object::Ptr)) {
        BOOST_REQUIRE(av.type() == typeid(Object::Ptr));
        check_shape(ev.extract<Object::Ptr>(), av.extract<Object::Ptr>(), where + key + ".");
      } else if (ev.isString()) {
        BOOST_TEST(av.isString());
      } else {
        BOOST_TEST((av.isNumeric() && !av.isString()));
      }
    }
  }
}

}  // namespace

// --- JSON shapes and parameters (no server) ---

BOOST_AUTO_TEST_CASE(alarm_json_has_every_key_of_the_api_example_with_its_type) {
  std::ifstream in(std::string(CSHIELD_SOURCE_DIR) + "/test/data/api/alarm_shape.json");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  Object::Ptr expected = as_object(parse(text));
  Alarm a = seed_alarms()[0];
  a.id = 42;
  Object::Ptr actual = alarm_to_json(a);
  check_shape(expected, actual, "");
  BOOST_TEST(actual->getValue<std::string>("first_seen") == "2025-11-26T16:50:01.000Z");
  BOOST_TEST(actual->getObject("evidence")->getValue<std::string>("syscall") == "ptrace");
  BOOST_TEST(actual->isNull("path"));
  BOOST_TEST(actual->getObject("container")->isNull("pod"));

  Alarm host = seed_alarms().back();
  Object::Ptr h = alarm_to_json(host);
  BOOST_TEST(h->isNull("container"));
  // Round trip through text keeps the shape.
  check_shape(expected, as_object(parse(to_json_text(actual))), "text.");
}

BOOST_AUTO_TEST_CASE(container_json_lists_findings_and_counts) {
  ContainerRecord r;
  r.info = db_container();
  r.first_seen_ms = kT0;
  r.last_seen_ms = kT0 + kMinute;
  r.findings_json = R"(["privileged:true","seccomp=unconfined"])";
  r.alarm_counts = {{"file_escape", 2}};
  Object::Ptr o = container_to_json(r);
  for (const char* key : {"id", "runtime", "name", "image", "pod", "namespace", "first_seen", "last_seen",
                          "stopped", "findings", "alarm_counts"})
    BOOST_TEST(o->has(key), key);
  BOOST_TEST(o->getValue<std::string>("namespace") == "prod");
  BOOST_TEST(o->isNull("stopped"));
  BOOST_TEST(o->getArray("findings")->getElement<std::string>(1) == "seccomp=unconfined");
  BOOST_TEST(o->getObject("alarm_counts")->getValue<int>("file_escape") == 2);
}

BOOST_AUTO_TEST_CASE(cursor_round_trips_and_rejects_foreign_text) {
  for (std::int64_t id : {1LL, 42LL, 9007199254740993LL}) BOOST_TEST(*decode_cursor(encode_cursor(id)) == id);
  BOOST_TEST(!decode_cursor(""));
  BOOST_TEST(!decode_cursor("42"));
  BOOST_TEST(!decode_cursor("Zm9vYmFy"));  // "foobar"
  BOOST_TEST(!decode_cursor("not a cursor!"));
}

BOOST_AUTO_TEST_CASE(prometheus_text_names_counters_and_gauges) {
  Counters c;
  c.counter("source.records", "Audit records read").add(5);
  c.gauge("queue.records.depth", "Records waiting").set(2);
  std::string text = prometheus_text(c);
  BOOST_TEST(text.find("# HELP cshield_source_records_total Audit records read\n") != std::string::npos);
  BOOST_TEST(text.find("# TYPE cshield_source_records_total counter\ncshield_source_records_total 5\n") !=
             std::string::npos);
  BOOST_TEST(text.find("# TYPE cshield_queue_records_depth gauge\ncshield_queue_records_depth 2\n") !=
             std::string::npos);
}

// --- the live server ---

BOOST_AUTO_TEST_CASE(healthz_reports_both_states) {
  LiveServer s;
  ApiReply ok = s.unix_call("GET", "/healthz");
  BOOST_TEST(ok.status == 200);
  BOOST_TEST(as_object(ok.json)->getValue<std::string>("status") == "ok");
  s.healthy = false;
  ApiReply down = s.unix_call("GET", "/healthz");
  BOOST_TEST(down.status == 503);
  BOOST_TEST(as_object(down.json)->getValue<std::string>("status") == "unavailable");
}

BOOST_AUTO_TEST_CASE(healthz_says_degraded_with_the_reasons) {
  LiveServer s;
  s.store_refuses = true;
  ApiReply r = s.unix_call("GET", "/healthz");
  BOOST_TEST(r.status == 200);  // still detecting and serving
  BOOST_TEST(as_object(r.json)->getValue<std::string>("status") == "degraded");
  BOOST_TEST(as_object(r.json)->getArray("reasons")->getElement<std::string>(0) == "the alarm store refuses writes");
  s.healthy = false;  // down outranks degraded
  BOOST_TEST(s.unix_call("GET", "/healthz").status == 503);
}

BOOST_AUTO_TEST_CASE(tcp_requires_the_bearer_token_and_the_socket_does_not) {
  LiveServer s;
  ApiReply none = s.tcp_call("", "/api/v1/alarms");
  BOOST_TEST(none.status == 401);
  BOOST_TEST(error_code(none) == "unauthorized");
  ApiReply wrong = s.tcp_call("s3cret-token-for-tesTs", "/api/v1/alarms");
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(s.tcp_call(kToken + "x", "/healthz").status == 401);
  BOOST_TEST(s.tcp_call(kToken, "/api/v1/alarms").status == 200);
  BOOST_TEST(s.unix_call("GET", "/api/v1/alarms").status == 200);
  // The socket is reachable by owner and group only.
  struct stat st {};
  BOOST_REQUIRE(::stat(s.socket_path.c_str(), &st) == 0);
  BOOST_TEST(S_ISSOCK(st.st_mode));
  BOOST_TEST((st.st_mode & 0777) == 0660u);
}

BOOST_AUTO_TEST_CASE(status_and_metrics_come_from_the_daemon) {
  LiveServer s;
  BOOST_TEST(s.get("/api/v1/status")->getValue<std::string>("mode") == "netlink");
  RawReply m = s.raw("GET", "/metrics");
  BOOST_TEST(m.status == 200);
  BOOST_TEST(m.content_type.find("text/plain; version=0.0.4") == 0u);
  BOOST_TEST(m.body.find("cshield_source_records_total 7\n") != std::string::npos);
  RawReply json = s.raw("GET", "/api/v1/alarms");
  BOOST_TEST(json.content_type == "application/json; charset=utf-8");
}

BOOST_AUTO_TEST_CASE(list_applies_each_filter) {
  LiveServer s;
  auto count = [&](const std::string& query) { return item_count(s.get("/api/v1/alarms?" + query + "&limit=1000")); };
  BOOST_TEST(item_count(s.get("/api/v1/alarms")) == s.seeded.size());
  BOOST_TEST(count("type=high_risk_syscall") ==
             s.count_where([](const Alarm& a) { return a.type == "high_risk_syscall"; }));
  BOOST_TEST(count("subtype=mount") == s.count_where([](const Alarm& a) { return a.subtype == "mount"; }));
  BOOST_TEST(count("type=high_risk_syscall&subtype=setns") == 6u);
  BOOST_TEST(count("severity=critical") == 1u);
  BOOST_TEST(count("status=unhandled") == s.seeded.size());
  BOOST_TEST(count("status=handled") == 0u);
  auto in_web = [](const Alarm& a) { return a.container && a.container->id == kWebId; };
  BOOST_TEST(count("container=web-1") == s.count_where(in_web));
  BOOST_TEST(count("container=" + kWebId) == s.count_where(in_web));
  BOOST_TEST(count("container=" + kWebId.substr(0, 12)) == s.count_where(in_web));
  BOOST_TEST(count("image=postgres%3A16") ==
             s.count_where([](const Alarm& a) { return a.container && a.container->image == "postgres:16"; }));
  BOOST_TEST(count("since=" + format_rfc3339_ms(kT0 + 10 * kMinute)) ==
             s.count_where([](const Alarm& a) { return a.last_seen_ms >= kT0 + 10 * kMinute; }));
  BOOST_TEST(count("until=" + std::to_string((kT0 + 5 * kMinute) / 1000)) ==
             s.count_where([](const Alarm& a) { return a.first_seen_ms <= kT0 + 5 * kMinute; }));
  // Each item is an alarm of the filter, newest first.
  Array::Ptr items = s.get("/api/v1/alarms?type=file_escape")->getArray("items");
  BOOST_REQUIRE(items->size() == 1u);
  BOOST_TEST(items->getObject(0)->getValue<std::string>("path") == "/etc/shadow");
}

BOOST_AUTO_TEST_CASE(cursors_page_through_every_alarm_once) {
  LiveServer s;
  std::set<std::int64_t> ids;
  std::int64_t previous = INT64_MAX;
  std::string target = "/api/v1/alarms?limit=7";
  int pages = 0;
  for (;;) {
    BOOST_REQUIRE(++pages <= 10);
    Object::Ptr page = s.get(target);
    Array::Ptr items = page->getArray("items");
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto id = items->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("id");
      BOOST_TEST(id < previous);
      previous = id;
      BOOST_TEST(ids.insert(id).second);
    }
    if (page->isNull("next_cursor")) break;
    BOOST_TEST(items->size() == 7u);
    target = "/api/v1/alarms?limit=7&cursor=" + page->getValue<std::string>("next_cursor");
  }
  BOOST_TEST(ids.size() == s.seeded.size());
  BOOST_TEST(pages == 5);
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_400_naming_the_parameter) {
  LiveServer s;
  for (const char* q : {"limit=abc", "limit=0", "limit=-3", "limit=", "cursor=bogus!", "cursor=Zm9vYmFy",
                        "typ=file_escape", "status=handeld", "type=no_such_type", "severity=urgent",
                        "since=yesterday", "type=file_escape&type=high_risk_syscall"}) {
    BOOST_TEST_CONTEXT(q) {
      ApiReply r = s.unix_call("GET", std::string("/api/v1/alarms?") + q);
      BOOST_TEST(r.status == 400);
      BOOST_TEST(error_code(r) == "bad_request");
    }
  }
  ApiReply typo = s.unix_call("GET", "/api/v1/alarms?typ=file_escape");
  BOOST_TEST(typo.error_message().find("'typ'") != std::string::npos);
  BOOST_TEST(s.unix_call("GET", "/api/v1/alarms/summary?limit=3").status == 400);
  BOOST_TEST(s.unix_call("GET", "/api/v1/containers?all=1").status == 400);
  // Over the maximum is clamped, not refused.
  BOOST_TEST(item_count(s.get("/api/v1/alarms?limit=5000")) == s.seeded.size());
}

BOOST_AUTO_TEST_CASE(get_one_alarm_or_404) {
  LiveServer s;
  const Alarm& cow = s.seeded[2];
  Object::Ptr a = s.get("/api/v1/alarms/" + std::to_string(cow.id));
  BOOST_TEST(a->getValue<std::string>("subtype") == "dirty_cow");
  BOOST_TEST(a->getObject("container")->getValue<std::string>("name") == "web-1");
  for (const char* missing : {"/api/v1/alarms/999999", "/api/v1/alarms/abc", "/api/v1/alarms/-1"}) {
    ApiReply r = s.unix_call("GET", missing);
    BOOST_TEST(r.status == 404, missing);
    BOOST_TEST(error_code(r) == "not_found");
  }
  BOOST_TEST(s.unix_call("GET", "/api/v1/nothing").status == 404);
  BOOST_TEST(s.unix_call("GET", "/api/v1/alarms/1/extra").status == 404);
}

BOOST_AUTO_TEST_CASE(patch_changes_status_and_note) {
  LiveServer s;
  const std::string target = "/api/v1/alarms/" + std::to_string(s.seeded[0].id);
  ApiReply r = s.unix_call("PATCH", target, R"({"status":"handled","note":"pentest SEC-17"})");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(as_object(r.json)->getValue<std::string>("status") == "handled");
  Object::Ptr after = s.get(target);
  BOOST_TEST(after->getValue<std::string>("status") == "handled");
  BOOST_TEST(after->getValue<std::string>("note") == "pentest SEC-17");
  BOOST_TEST(item_count(s.get("/api/v1/alarms?status=handled")) == 1u);
  // A note alone keeps the status.
  BOOST_TEST(s.unix_call("PATCH", target, R"({"note":"closed"})").status == 200);
  BOOST_TEST(s.get(target)->getValue<std::string>("status") == "handled");

  ApiReply bad_status = s.unix_call("PATCH", target, R"({"status":"done"})");
  BOOST_TEST(bad_status.status == 422);
  BOOST_TEST(bad_status.error_message().find("handled") != std::string::npos);
  BOOST_TEST(s.unix_call("PATCH", target, R"({"status":1})").status == 422);
  BOOST_TEST(s.unix_call("PATCH", target, R"({"stat":"handled"})").status == 422);
  BOOST_TEST(s.unix_call("PATCH", target, R"({"status":"handled")").status == 400);
  BOOST_TEST(s.unix_call("PATCH", target, R"(["handled"])").status == 400);
  BOOST_TEST(s.unix_call("PATCH", "/api/v1/alarms/999999", R"({"status":"handled"})").status == 404);
  std::string huge = R"({"status":"handled","note":")" + std::string(70000, 'x') + "\"}";
  ApiReply too_big = s.unix_call("PATCH", target, huge);
  BOOST_TEST(too_big.status == 413);
  BOOST_TEST(error_code(too_big) == "payload_too_large");
  BOOST_TEST(s.get(target)->getValue<std::string>("note") == "closed");
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405_with_allow) {
  LiveServer s;
  RawReply del = s.raw("DELETE", "/api/v1/alarms/1");
  BOOST_TEST(del.status == 405);
  BOOST_TEST(del.allow == "GET, PATCH");
  RawReply post = s.raw("POST", "/api/v1/alarms");
  BOOST_TEST(post.status == 405);
  BOOST_TEST(post.allow == "GET");
  BOOST_TEST(post.body.find("method_not_allowed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(summary_counts_by_type_severity_and_status) {
  LiveServer s;
  Object::Ptr all = s.get("/api/v1/alarms/summary");
  BOOST_TEST(all->getValue<std::size_t>("total") == s.seeded.size());
  BOOST_TEST(all->getObject("by_type")->getValue<std::size_t>("high_risk_syscall") ==
             s.count_where([](const Alarm& a) { return a.type == "high_risk_syscall"; }));
  BOOST_TEST(all->getObject("by_severity")->getValue<int>("critical") == 1);
  BOOST_TEST(all->getObject("by_status")->getValue<std::size_t>("unhandled") == s.seeded.size());
  Object::Ptr recent = s.get("/api/v1/alarms/summary?since=" + format_rfc3339_ms(kT0 + 20 * kMinute));
  BOOST_TEST(recent->getValue<int>("total") == 9);
}

BOOST_AUTO_TEST_CASE(containers_list_and_lookup_by_id_prefix_and_name) {
  LiveServer s;
  Array::Ptr items = s.get("/api/v1/containers")->getArray("items");
  BOOST_TEST(items->size() == 2u);
  for (const std::string& key : {kDbId, kDbId.substr(0, 12), std::string("db-1")}) {
    Object::Ptr c = s.get("/api/v1/containers/" + key);
    BOOST_TEST(c->getValue<std::string>("id") == kDbId);
    BOOST_TEST(c->getValue<std::string>("pod") == "db-0");
    BOOST_TEST(c->getArray("findings")->size() == 2u);
    BOOST_TEST(c->getObject("alarm_counts")->getValue<int>("file_escape") == 1);
  }
  BOOST_TEST(s.unix_call("GET", "/api/v1/containers/fedcba98").status == 404);  // prefix too short
  BOOST_TEST(s.unix_call("GET", "/api/v1/containers/nope").status == 404);
}

// --- the server's life cycle ---

BOOST_AUTO_TEST_CASE(refuses_a_non_loopback_or_malformed_listen_address) {
  TempDir tmp;
  SqliteStore store(tmp.file("alarms.db"), StoreOptions{});
  ApiContext ctx{store, {}, {}, {}};
  for (const char* listen : {"0.0.0.0:0", "10.1.2.3:8741", "[::]:0", "127.0.0.1", "not an address"}) {
    ApiServer server(ctx, options_for("", listen, kToken));
    std::string error;
    BOOST_TEST(!server.start(error), listen);
    BOOST_TEST(!error.empty());
    if (std::string(listen) == "10.1.2.3:8741") BOOST_TEST(error.find("loopback") != std::string::npos);
  }
  ApiServer no_token(ctx, options_for("", "127.0.0.1:0", ""));
  std::string error;
  BOOST_TEST(!no_token.start(error));
  BOOST_TEST(error.find("token") != std::string::npos);
  ApiServer v6(ctx, options_for("", "[::1]:0", kToken));
  if (v6.start(error)) BOOST_TEST(v6.tcp_port() != 0);  // hosts without IPv6 cannot bind ::1
}

BOOST_AUTO_TEST_CASE(the_metrics_listener_serves_metrics_and_health_without_a_token_and_nothing_else) {
  TempDir tmp;
  SqliteStore store(tmp.file("alarms.db"), StoreOptions{});
  ApiContext ctx{store, {}, [] { return true; }, [] { return std::string("cshield_source_records 7\n"); }};
  ApiOptions options = options_for(tmp.file("api.sock"), "", "");
  options.metrics_listen = "127.0.0.1:0";
  ApiServer server(ctx, options);
  std::string error;
  BOOST_REQUIRE_MESSAGE(server.start(error), error);
  BOOST_REQUIRE(server.metrics_port() != 0);
  auto call = [&](const std::string& method, const std::string& target) {
    Poco::Net::HTTPClientSession session("127.0.0.1", server.metrics_port());
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    return std::make_pair(static_cast<int>(response.getStatus()), body);
  };
  auto metrics = call("GET", "/metrics");
  BOOST_TEST(metrics.first == 200);
  BOOST_TEST(metrics.second.find("cshield_source_records 7") != std::string::npos);
  BOOST_TEST(call("GET", "/healthz").first == 200);
  BOOST_TEST(call("GET", "/api/v1/alarms").first == 404);
  BOOST_TEST(call("GET", "/api/v1/status").first == 404);
  BOOST_TEST(call("DELETE", "/metrics").first == 404);
  ApiOptions bad = options_for(tmp.file("api2.sock"), "", "");
  bad.metrics_listen = "not an address";
  ApiServer refused(ctx, bad);
  BOOST_TEST(!refused.start(error));
  BOOST_TEST(error.find("metrics") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(socket_file_is_replaced_when_stale_and_refused_when_in_use) {
  TempDir tmp;
  SqliteStore store(tmp.file("alarms.db"), StoreOptions{});
  ApiContext ctx{store, {}, [] { return true; }, {}};
  const std::string path = tmp.file("api.sock");
  {  // a stale socket file: bound, never served, closed
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }
  ApiServer first(ctx, options_for(path, "", ""));
  std::string error;
  BOOST_REQUIRE_MESSAGE(first.start(error), error);
  BOOST_TEST(ApiClient::over_unix_socket(path).call("GET", "/healthz").status == 200);

  ApiServer second(ctx, options_for(path, "", ""));
  BOOST_TEST(!second.start(error));
  BOOST_TEST(error.find("in use") != std::string::npos);
  BOOST_TEST(ApiClient::over_unix_socket(path).call("GET", "/healthz").status == 200);

  first.stop();
  first.stop();  // idempotent
  BOOST_TEST(!fs::exists(path));
  ApiReply gone = ApiClient::over_unix_socket(path).call("GET", "/healthz");
  BOOST_TEST(!gone.reached());
  BOOST_TEST(gone.error_message().find("cannot connect to " + path) != std::string::npos);
  BOOST_TEST(gone.error_message().find("is cshieldd running?") != std::string::npos);

  std::ofstream(tmp.file("plain")) << "x";
  ApiServer on_file(ctx, options_for(tmp.file("plain"), "", ""));
  BOOST_TEST(!on_file.start(error));
  BOOST_TEST(error.find("not a socket") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(socket_gets_the_configured_group) {
  TempDir tmp;
  SqliteStore store(tmp.file("alarms.db"), StoreOptions{});
  ApiContext ctx{store, {}, {}, {}};
  const group* own = ::getgrgid(::getgid());
  BOOST_REQUIRE(own);
  ApiOptions options = options_for(tmp.file("api.sock"), "", "");
  options.socket_group = own->gr_name;
  ApiServer server(ctx, options);
  std::string error;
  BOOST_REQUIRE_MESSAGE(server.start(error), error);
  struct stat st {};
  BOOST_REQUIRE(::stat(options.socket_path.c_str(), &st) == 0);
  BOOST_TEST(st.st_gid == ::getgid());

  options.socket_path = tmp.file("other.sock");
  options.socket_group = "no-such-group-cshield";
  ApiServer unknown(ctx, options);
  BOOST_TEST(!unknown.start(error));
  BOOST_TEST(error.find("no-such-group-cshield") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stop_is_prompt_with_an_idle_keep_alive_connection) {
  LiveServer s;
  Poco::Net::HTTPClientSession session("127.0.0.1", s.server.tcp_port());
  session.setKeepAlive(true);
  Poco::Net::HTTPRequest request("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer " + kToken);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  BOOST_TEST(response.getStatus() == 200);
  auto started = std::chrono::steady_clock::now();
  s.server.stop();
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  BOOST_TEST(elapsed.count() < 3000);
}

// Header count is capped (Poco's limit, 100 fields): a request with more is
// refused with 400, the server stays up.
BOOST_AUTO_TEST_CASE(too_many_header_fields_are_refused) {
  LiveServer s;
  Poco::Net::HTTPClientSession session("127.0.0.1", s.server.tcp_port());
  Poco::Net::HTTPRequest request("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer " + kToken);
  for (int i = 0; i < 500; ++i) request.set("X-Field-" + std::to_string(i), "x");
  int status = 0;
  try {
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    status = response.getStatus();
  } catch (const Poco::Exception&) {
    status = -1;  // the server closed the connection: refused too
  }
  BOOST_TEST((status == 400 || status == -1), "status " << status);
  BOOST_TEST(s.tcp_call(kToken, "/healthz").status == 200);
}

// --- cshieldctl ---

BOOST_AUTO_TEST_CASE(ctl_alarm_table_is_aligned_and_complete) {
  LiveServer s;
  std::string out, err;
  BOOST_TEST(s.ctl({"alarms", "list"}, out, err) == 0);
  BOOST_TEST(err.empty());
  auto lines = lines_of(out);
  BOOST_REQUIRE(lines.size() == s.seeded.size() + 1);
  const std::string& header = lines[0];
  for (const char* column : {"ID", "LAST SEEN", "SEVERITY", "TYPE/SUBTYPE", "CONTAINER", "PROCESS", "COUNT", "STATUS"})
    BOOST_TEST(header.find(column) != std::string::npos, column);
  // Newest first: the host alarm, then the seeded ones in reverse.
  BOOST_TEST(lines[1].find("high_risk_syscall/mount") == header.find("TYPE/SUBTYPE"));
  BOOST_TEST(lines[1].find("(host)") == header.find("CONTAINER"));
  BOOST_TEST(lines[1].find("/usr/bin/mount (4242)") == header.find("PROCESS"));
  BOOST_TEST(lines[1].find("2025-11-26 17:18:01") == header.find("LAST SEEN"));
  const std::string& oldest = lines.back();
  BOOST_TEST(oldest.find("web-1") == header.find("CONTAINER"));
  BOOST_TEST(oldest.find("unhandled") == header.find("STATUS"));

  BOOST_TEST(s.ctl({"alarms", "list", "--limit", "5"}, out, err) == 0);
  BOOST_TEST(lines_of(out).size() == 7u);  // header, 5 rows, the next-page hint
  BOOST_TEST(out.find("--cursor ") != std::string::npos);
  BOOST_TEST(s.ctl({"alarms", "list", "--limit=4", "--all", "--container", "db-1"}, out, err) == 0);
  BOOST_TEST(lines_of(out).size() ==
             1 + s.count_where([](const Alarm& a) { return a.container && a.container->name == "db-1"; }));
  BOOST_TEST(s.ctl({"alarms", "list", "--status", "handled"}, out, err) == 0);
  BOOST_TEST(out == "No alarms match.\n");
}

BOOST_AUTO_TEST_CASE(ctl_json_prints_the_api_reply) {
  LiveServer s;
  std::string out, err;
  BOOST_TEST(s.ctl({"--json", "alarms", "list", "--type", "file_escape"}, out, err) == 0);
  Object::Ptr page = as_object(parse(out));
  BOOST_TEST(page->getArray("items")->size() == 1u);
  BOOST_TEST(page->isNull("next_cursor"));
  BOOST_TEST(out.find("\n  \"items\"") != std::string::npos);  // pretty-printed
  BOOST_TEST(s.ctl({"alarms", "list", "--json", "--limit", "6", "--all"}, out, err) == 0);
  BOOST_TEST(as_object(parse(out))->getArray("items")->size() == s.seeded.size());
  BOOST_TEST(s.ctl({"--json", "containers", "web-1"}, out, err) == 0);
  BOOST_TEST(as_object(parse(out))->getValue<std::string>("id") == kWebId);
}

BOOST_AUTO_TEST_CASE(ctl_show_handle_summary_containers_status) {
  LiveServer s;
  std::string out, err;
  const std::string id = std::to_string(s.seeded[0].id);
  BOOST_TEST(s.ctl({"alarms", "show", id}, out, err) == 0);
  for (const char* text : {"High-risk system call: ptrace", "high_risk_syscall / ptrace", "/usr/bin/strace",
                           "strace -p 1", "web-1", "nginx:1.27", "evidence:", "\"success\": true"})
    BOOST_TEST(out.find(text) != std::string::npos, text);

  BOOST_TEST(s.ctl({"alarms", "handle", id, "--status", "ignored", "--note", "known tool"}, out, err) == 0);
  BOOST_TEST(out == "Alarm " + id + " is now ignored (note: known tool)\n");
  BOOST_TEST(s.get("/api/v1/alarms/" + id)->getValue<std::string>("status") == "ignored");

  BOOST_TEST(s.ctl({"alarms", "summary"}, out, err) == 0);
  BOOST_TEST(out.find("Total alarms: 29") == 0u);
  BOOST_TEST(out.find("ignored") != std::string::npos);

  BOOST_TEST(s.ctl({"containers"}, out, err) == 0);
  BOOST_TEST(out.find("fedcba987654  db-1") != std::string::npos);
  BOOST_TEST(s.ctl({"containers", "db-1"}, out, err) == 0);
  BOOST_TEST(out.find("privileged:true") != std::string::npos);
  BOOST_TEST(out.find(kDbId) != std::string::npos);

  BOOST_TEST(s.ctl({"status"}, out, err) == 0);
  BOOST_TEST(out.find("audit.enabled") != std::string::npos);
  BOOST_TEST(out.find("mode") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ctl_over_tcp_with_a_token_file) {
  LiveServer s;
  std::string token_file = s.tmp.file("api.token");
  std::ofstream(token_file) << kToken << "\n";
  std::ostringstream out, err;
  BOOST_TEST(run_client_command({"--url", s.url(), "--token-file", token_file, "alarms", "summary"}, out, err) == 0);
  BOOST_TEST(out.str().find("Total alarms: 29") == 0u);
  std::ostringstream out2, err2;
  BOOST_TEST(run_client_command({"--url", s.url(), "status"}, out2, err2) == 1);
  BOOST_TEST(err2.str().find("--token-file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ctl_exit_codes_and_messages) {
  LiveServer s;
  std::string out, err;
  BOOST_TEST(s.ctl({"alarms", "show", "999999"}, out, err) == 1);
  BOOST_TEST(err.find("no alarm with id '999999'") != std::string::npos);
  BOOST_TEST(s.ctl({"alarms", "handle", "1", "--status", "done"}, out, err) == 1);
  BOOST_TEST(err.find("status must be one of") != std::string::npos);
  BOOST_TEST(s.ctl({"alarms", "list", "--type", "typo"}, out, err) == 1);
  BOOST_TEST(err.find("unknown alarm type 'typo'") != std::string::npos);

  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {}, {"alarms"}, {"alarms", "frobnicate"}, {"alarms", "list", "--colour", "red"}, {"alarms", "show"},
           {"alarms", "handle", "1"}, {"status", "extra"}, {"nonsense"}, {"alarms", "list", "--limit"}}) {
    BOOST_TEST(s.ctl(bad, out, err) == 2);
    BOOST_TEST(err.find("Usage: cshieldctl") != std::string::npos);
  }

  std::ostringstream o, e;
  BOOST_TEST(run_client_command({"--socket", s.tmp.file("missing.sock"), "status"}, o, e) == 1);
  BOOST_TEST(e.str().find("cannot connect to " + s.tmp.file("missing.sock")) != std::string::npos);
  BOOST_TEST(e.str().find("is cshieldd running?") != std::string::npos);

  std::ostringstream help, none;
  BOOST_TEST(run_client_command({"--help"}, help, none) == 0);
  for (const char* text : {"alarms list", "alarms handle ID --status", "replay FILE", "--token-file", "Examples:",
                           "cshieldctl alarms show 42"})
    BOOST_TEST(help.str().find(text) != std::string::npos, text);
}
