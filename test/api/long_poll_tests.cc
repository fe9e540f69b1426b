// The long-poll of GET /api/v1/alarms (wait=N): a real store written by a
// real StoreWriter thread, behind a real server on a temporary Unix socket.
// Every wait for an answer has a deadline; nothing sleeps to wait.
#define BOOST_TEST_MODULE api_long_poll
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include <Poco/JSON/Object.h>

#include "alarm/store_writer.h"
#include "api/alarm_query_params.h"
#include "api/api_client.h"
#include "api/api_router.h"
#include "api/api_server.h"
#include "api/ctl_commands.h"
#include "core/change_signal.h"
#include "core/counters.h"
#include "core/time_format.h"
#include "store/sqlite_store.h"
#include "support/eventually.h"
#include "support/temp_dir.h"

using namespace cshield;
using cshield::testing::eventually;
using cshield::testing::TempDir;
using Poco::JSON::Object;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kHour = 60 * 60 * 1000;
const auto kAnswerDeadline = std::chrono::seconds(10);

Alarm alarm_of(std::string_view type, const std::string& subtype, const std::string& exe) {
  Alarm a = make_alarm(type, subtype, subtype);
  a.first_seen_ms = a.last_seen_ms = now_ms();
  a.process.exe = exe;
  a.description = exe + " raised " + subtype;
  return a;
}

Object::Ptr object_of(const ApiReply& r) {
  BOOST_REQUIRE_MESSAGE(r.json.type() == typeid(Object::Ptr), "not a JSON object: " << r.body);
  return r.json.extract<Object::Ptr>();
}

std::size_t items_of(const ApiReply& r) { return object_of(r)->getArray("items")->size(); }

std::string error_code(const ApiReply& r) {
  auto e = object_of(r)->getObject("error");
  BOOST_REQUIRE_MESSAGE(e, r.body);
  BOOST_TEST(!e->getValue<std::string>("message").empty());
  return e->getValue<std::string>("code");
}

// The daemon's wiring in small: the store writer notifies `writes` after each
// commit, the API reads through its own connection and waits on `writes`.
// Four threads a listener: at most two long-polls are held.
struct LongPollServer {
  TempDir tmp{"cshield-long-poll"};
  std::string socket_path = tmp / "api.sock";
  SqliteStore writer_store{tmp / "alarms.db", StoreOptions{}};
  SqliteStore reader_store{tmp / "alarms.db", StoreOptions{}};
  ChangeSignal writes;
  Counters counters;
  StoreWriter store_writer{writer_store, counters};
  ApiContext context{reader_store, {}, [] { return true; }, {}, nullptr, {}, &writes};
  ApiServer server{context, options()};
  // The alarm already stored is an hour old (young enough for retention);
  // "newer than what the client has": after it, before anything written now.
  const std::int64_t old_ms = now_ms() - kHour;
  const std::string since = "since=" + format_rfc3339_ms(old_ms + kHour / 2);

  ApiOptions options() const {
    ApiOptions o;
    o.socket_path = socket_path;
    o.threads = 4;
    return o;
  }

  LongPollServer() {
    Alarm old = make_alarm("high_risk_syscall", "mount", "mount");
    old.first_seen_ms = old.last_seen_ms = old_ms;
    writer_store.write({old});
    store_writer.set_commit_signal(&writes);
    store_writer.start();
    std::string error;
    BOOST_REQUIRE_MESSAGE(server.start(error), error);
  }
  ~LongPollServer() {
    server.stop();
    store_writer.stop();
  }

  ApiReply get(const std::string& target) const {
    return ApiClient::over_unix_socket(socket_path).call("GET", target);
  }
  std::future<ApiReply> get_async(const std::string& target) const {
    return std::async(std::launch::async, [this, target] { return get(target); });
  }
  // Waits until `n` requests are held by the long-poll.
  void require_held(std::size_t n) const {
    BOOST_REQUIRE_MESSAGE(eventually([&] { return server.long_polls_held() == n; }),
                          "held long-polls: " << server.long_polls_held() << ", expected " << n);
  }
};

bool ready(std::future<ApiReply>& f, std::chrono::steady_clock::duration within = kAnswerDeadline) {
  return f.wait_for(within) == std::future_status::ready;
}

}  // namespace

BOOST_AUTO_TEST_CASE(wait_is_whole_seconds_up_to_30_and_never_beside_a_cursor) {
  auto wait_of = [](QueryParams p) { return parse_alarm_wait(p); };
  BOOST_TEST(std::get<int>(wait_of({})) == 0);
  BOOST_TEST(std::get<int>(wait_of({{"wait", "0"}})) == 0);
  BOOST_TEST(std::get<int>(wait_of({{"wait", "30"}, {"since", "1764175801"}})) == 30);
  BOOST_TEST(std::get<int>(wait_of({{"wait", "0"}, {"cursor", encode_cursor(5)}})) == 0);
  for (const char* bad : {"31", "-1", "1.5", "soon", "5s", " 5"}) {
    auto r = wait_of({{"wait", bad}});
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<ApiError>(r), bad);
    BOOST_TEST(std::get<ApiError>(r).status == 400);
    BOOST_TEST(std::get<ApiError>(r).message.find("'wait'") != std::string::npos);
  }
  auto with_cursor = wait_of({{"cursor", encode_cursor(5)}, {"wait", "5"}});
  BOOST_REQUIRE(std::holds_alternative<ApiError>(with_cursor));
  BOOST_TEST(std::get<ApiError>(with_cursor).message.find("cursor") != std::string::npos);
  // The other parameters accept wait beside them.
  BOOST_TEST(std::holds_alternative<AlarmQuery>(parse_alarm_query({{"type", "file_escape"}, {"wait", "5"}})));
}

BOOST_AUTO_TEST_CASE(bad_waits_are_400_in_the_error_shape_of_the_api) {
  LongPollServer s;
  for (const std::string& query : {std::string("wait=31"), std::string("wait=x"), std::string("wait="),
                                   std::string("wait=1&wait=2"), "wait=5&cursor=" + encode_cursor(2)}) {
    ApiReply r = s.get("/api/v1/alarms?" + query);
    BOOST_TEST_CONTEXT(query) {
      BOOST_TEST(r.status == 400);
      BOOST_TEST(error_code(r) == "bad_request");
    }
  }
  BOOST_TEST(s.server.long_polls_held() == 0u);
}

BOOST_AUTO_TEST_CASE(a_page_with_alarms_answers_at_once) {
  LongPollServer s;
  auto reply = s.get_async("/api/v1/alarms?wait=30");
  BOOST_REQUIRE(ready(reply));  // far sooner than 30 s: nothing to wait for
  ApiReply r = reply.get();
  BOOST_TEST(r.status == 200);
  BOOST_TEST(items_of(r) == 1u);
}

BOOST_AUTO_TEST_CASE(a_waiting_request_answers_when_a_matching_alarm_is_stored) {
  LongPollServer s;
  const auto started = Clock::now();
  auto reply = s.get_async("/api/v1/alarms?type=file_escape&" + s.since + "&wait=30");
  s.require_held(1);  // in flight and waiting: the page was empty
  BOOST_TEST(!ready(reply, std::chrono::seconds(0)));
  s.store_writer.publish(alarm_of("file_escape", "host_file", "/bin/cat"));
  BOOST_REQUIRE_MESSAGE(ready(reply), "no answer after the alarm was stored");
  ApiReply r = reply.get();
  BOOST_TEST(r.status == 200);
  auto items = object_of(r)->getArray("items");
  BOOST_REQUIRE(items->size() == 1u);
  BOOST_TEST(items->getObject(0)->getValue<std::string>("type") == "file_escape");
  BOOST_TEST(items->getObject(0)->getObject("process")->getValue<std::string>("exe") == "/bin/cat");
  BOOST_TEST((Clock::now() - started < std::chrono::seconds(30)));  // answered by the store, not the timeout
  BOOST_TEST(s.server.long_polls_held() == 0u);
}

BOOST_AUTO_TEST_CASE(a_folded_repeat_wakes_a_request_for_alarms_seen_since) {
  LongPollServer s;
  Alarm first = alarm_of("file_escape", "host_file", "/bin/cat");
  s.store_writer.publish(first);
  BOOST_REQUIRE(eventually([&] { return s.reader_store.alarm_count() == 2; }));
  const std::int64_t later = now_ms() + 1;
  auto reply = s.get_async("/api/v1/alarms?type=file_escape&since=" + format_rfc3339_ms(later) + "&wait=30");
  s.require_held(1);
  Alarm repeat = first;
  repeat.first_seen_ms = repeat.last_seen_ms = later + 5;  // the same fold key, seen again
  s.store_writer.publish(repeat);
  BOOST_REQUIRE(ready(reply));
  auto items = object_of(reply.get())->getArray("items");
  BOOST_REQUIRE(items->size() == 1u);
  BOOST_TEST(items->getObject(0)->getValue<int>("count") == 2);
}

BOOST_AUTO_TEST_CASE(a_stored_alarm_that_does_not_match_sends_the_request_back_to_wait) {
  LongPollServer s;
  auto reply = s.get_async("/api/v1/alarms?type=file_escape&" + s.since + "&wait=30");
  s.require_held(1);
  const auto before = s.writes.generation();
  s.store_writer.publish(alarm_of("high_risk_syscall", "ptrace", "/usr/bin/strace"));
  BOOST_REQUIRE(eventually([&] { return s.writes.generation() != before; }));  // stored: the waiter woke
  // It looks again, finds nothing of its type and waits on.
  BOOST_REQUIRE(eventually([&] { return s.server.long_polls_held() == 1u; }));
  BOOST_TEST(!ready(reply, std::chrono::seconds(0)));
  s.store_writer.publish(alarm_of("file_escape", "host_file", "/bin/cat"));
  BOOST_REQUIRE(ready(reply));
  auto items = object_of(reply.get())->getArray("items");
  BOOST_REQUIRE(items->size() == 1u);  // the matching alarm only
  BOOST_TEST(items->getObject(0)->getValue<std::string>("type") == "file_escape");
}

BOOST_AUTO_TEST_CASE(a_wait_without_news_ends_with_the_empty_page) {
  LongPollServer s;
  const auto started = Clock::now();
  auto reply = s.get_async("/api/v1/alarms?type=file_escape&" + s.since + "&wait=1");
  s.require_held(1);
  s.store_writer.publish(alarm_of("high_risk_syscall", "ptrace", "/usr/bin/strace"));  // not for this page
  BOOST_REQUIRE(ready(reply));
  const auto elapsed = Clock::now() - started;
  ApiReply r = reply.get();
  BOOST_TEST(r.status == 200);
  BOOST_TEST(items_of(r) == 0u);
  BOOST_TEST(object_of(r)->isNull("next_cursor"));
  BOOST_TEST((elapsed >= std::chrono::milliseconds(950)));
}

BOOST_AUTO_TEST_CASE(waiters_beyond_the_cap_get_503_and_other_requests_are_served) {
  LongPollServer s;
  const std::string waiting = "/api/v1/alarms?type=file_escape&" + s.since + "&wait=30";
  auto first = s.get_async(waiting);
  auto second = s.get_async(waiting);
  s.require_held(2);  // threads - 2
  ApiReply third = s.get(waiting);
  BOOST_TEST(third.status == 503);
  BOOST_TEST(error_code(third) == "unavailable");
  BOOST_TEST(third.error_message().find("at most 2") != std::string::npos);
  // The two workers left serve everything else at once.
  BOOST_TEST(s.get("/api/v1/alarms").status == 200);
  BOOST_TEST(s.get("/healthz").status == 200);
  // A wait that finds alarms takes no place: it answers at once.
  BOOST_TEST(s.get("/api/v1/alarms?wait=30").status == 200);
  s.store_writer.publish(alarm_of("file_escape", "host_file", "/bin/cat"));
  BOOST_REQUIRE(ready(first));
  BOOST_REQUIRE(ready(second));
  BOOST_TEST(items_of(first.get()) == 1u);
  BOOST_TEST(items_of(second.get()) == 1u);
  BOOST_TEST(s.server.long_polls_held() == 0u);
}

BOOST_AUTO_TEST_CASE(stopping_the_server_ends_held_requests_promptly) {
  LongPollServer s;
  const std::string waiting = "/api/v1/alarms?type=file_escape&" + s.since + "&wait=30";
  auto first = s.get_async(waiting);
  auto second = s.get_async(waiting);
  s.require_held(2);
  const auto started = Clock::now();
  s.server.stop();
  BOOST_TEST((Clock::now() - started < std::chrono::seconds(3)));
  BOOST_REQUIRE(ready(first, std::chrono::seconds(3)));
  BOOST_REQUIRE(ready(second, std::chrono::seconds(3)));
  for (auto* f : {&first, &second}) {
    ApiReply r = f->get();
    // The empty page, or the connection closed under it: never a 30 s hang.
    BOOST_TEST((!r.reached() || (r.status == 200 && items_of(r) == 0u)), r.status << " " << r.transport_error);
  }
  BOOST_TEST(s.server.long_polls_held() == 0u);
}

// Transport-free: the router answers a held request with its (empty) page
// when told to stop waiting, and refuses new waits until allowed again.
BOOST_AUTO_TEST_CASE(the_router_ends_waits_on_stop_waiting_and_refuses_new_ones) {
  TempDir tmp{"cshield-long-poll"};
  SqliteStore store{tmp / "alarms.db", StoreOptions{}};
  ChangeSignal writes;
  ApiContext ctx{store, {}, {}, {}, nullptr, {}, &writes};
  ApiRouter router(ctx, 1);
  auto held = std::async(std::launch::async, [&] { return router.handle({"GET", "/api/v1/alarms?wait=30", ""}); });
  BOOST_REQUIRE(eventually([&] { return router.waiting() == 1u; }));
  BOOST_TEST(router.handle({"GET", "/api/v1/alarms?wait=30", ""}).status == 503);  // the cap is 1
  router.stop_waiting();
  BOOST_REQUIRE(held.wait_for(std::chrono::seconds(3)) == std::future_status::ready);
  ApiResponse r = held.get();
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.find("\"items\":[]") != std::string::npos);
  ApiResponse refused = router.handle({"GET", "/api/v1/alarms?wait=30", ""});
  BOOST_TEST(refused.status == 503);
  BOOST_TEST(refused.body.find("stopping") != std::string::npos);
  BOOST_TEST(router.handle({"GET", "/api/v1/alarms", ""}).status == 200);  // no wait: served as ever
  router.allow_waiting();
  BOOST_TEST(router.handle({"GET", "/api/v1/alarms?wait=0", ""}).status == 200);
}

BOOST_AUTO_TEST_CASE(without_a_signal_wait_is_503_and_a_status_change_notifies) {
  TempDir tmp{"cshield-long-poll"};
  SqliteStore store{tmp / "alarms.db", StoreOptions{}};
  ApiContext bare{store, {}, {}, {}};
  ApiRouter no_signal(bare, 2);
  ApiResponse r = no_signal.handle({"GET", "/api/v1/alarms?wait=5", ""});
  BOOST_TEST(r.status == 503);
  BOOST_TEST(r.body.find("ask without wait") != std::string::npos);

  ChangeSignal writes;
  const auto ids = store.write({alarm_of("file_escape", "host_file", "/bin/cat")});
  ApiContext ctx{store, {}, {}, {}, nullptr, {}, &writes};
  ApiRouter router(ctx, 2);
  const auto before = writes.generation();
  ApiResponse patched = router.handle({"PATCH", "/api/v1/alarms/" + std::to_string(ids.at(0)), R"({"status":"handled"})"});
  BOOST_TEST(patched.status == 200);
  BOOST_TEST(writes.generation() != before);  // a page filtered by status may have changed
}

BOOST_AUTO_TEST_CASE(cshieldctl_alarms_list_waits_with_wait) {
  LongPollServer s;
  auto ctl = [&](std::vector<std::string> args, std::string& out, std::string& err) {
    args.insert(args.begin(), {"--socket", s.socket_path, "alarms", "list"});
    std::ostringstream o, e;
    const int rc = run_client_command(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
  };
  const std::string since = s.since.substr(s.since.find('=') + 1);
  std::string out, err;
  auto listed = std::async(std::launch::async, [&] {
    return ctl({"--type", "file_escape", "--since", since, "--wait", "30"}, out, err);
  });
  s.require_held(1);
  s.store_writer.publish(alarm_of("file_escape", "host_file", "/bin/cat"));
  BOOST_REQUIRE(listed.wait_for(kAnswerDeadline) == std::future_status::ready);
  BOOST_TEST(listed.get() == 0);
  BOOST_TEST(out.find("/bin/cat") != std::string::npos, out);

  BOOST_TEST(ctl({"--type", "abnormal_process", "--since", since, "--wait", "1"}, out, err) == 0);
  BOOST_TEST(out == "No alarms match.\n");
  BOOST_TEST(ctl({"--wait", "31"}, out, err) == 1);
  BOOST_TEST(err.find("'wait'") != std::string::npos, err);
}
