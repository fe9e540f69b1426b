#define BOOST_TEST_MODULE export
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Parser.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "export/audit_record_text.h"
#include "export/cef_format.h"
#include "export/exporter_set.h"
#include "export/jsonl_channel.h"
#include "export/queued_exporter.h"
#include "export/syslog_channel.h"
#include "export/syslog_message.h"
#include "support/eventually.h"

using namespace cshield;
using cshield::testing::eventually;
using namespace std::chrono_literals;

namespace {

Alarm sample_alarm() {
  Alarm a = make_alarm("file_escape", "read", "/etc/shadow");
  a.first_seen_ms = a.last_seen_ms = 1764175801123;  // 2025-11-26T16:50:01.123Z
  a.container = ContainerInfo{};
  a.container->id = std::string(64, 'a');
  a.container->name = "web|1";
  a.container->image = "nginx:1.27";
  a.container->runtime = "docker";
  a.process.pid = 4242;
  a.process.ppid = 4200;
  a.process.uid = 0;
  a.process.exe = "/usr/bin/my tool";
  a.process.comm = "cat";
  a.process.cmdline = "cat a=b\\c";
  a.syscall = "openat";
  a.path = "/hostetc/shadow";
  a.audit_serial = 18734;
  a.description = "read a=1|x";
  return a;
}

// A loopback socket of the given type bound to an ephemeral (or given) port.
int bound_socket(int type, int port = 0) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  if (type == SOCK_STREAM) BOOST_REQUIRE(::listen(fd, 4) == 0);
  return fd;
}

int port_of(int fd) {
  sockaddr_in a{};
  socklen_t l = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  return ntohs(a.sin_port);
}

std::string receive_some(int fd, int timeout_ms = 3000) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return {};
  char buf[70000];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// Splits an octet-counted stream ("LEN SP MSG"...) into messages; false if malformed.
bool split_octet_counted(std::string stream, std::vector<std::string>& out) {
  while (!stream.empty()) {
    const auto sp = stream.find(' ');
    if (sp == std::string::npos || sp == 0) return false;
    const std::size_t len = std::stoul(stream.substr(0, sp));
    if (stream.size() < sp + 1 + len) return false;
    out.push_back(stream.substr(sp + 1, len));
    stream.erase(0, sp + 1 + len);
  }
  return true;
}

// A channel the test controls: fails while `fail` is set, blocks while `hold` is set.
class FakeChannel : public ExportChannel {
 public:
  std::atomic<bool> fail{false}, hold{false}, reject_next{false};
  std::atomic<int> reopens{0};
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> got;
  std::vector<std::int64_t> counts;  // each delivered alarm's count

  SendResult send(const Alarm& a, std::string& error) override {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return !hold.load(); });
    if (reject_next.exchange(false)) {
      error = "too big";
      return SendResult::rejected;
    }
    if (fail) {
      error = "receiver down";
      return SendResult::failed;
    }
    got.push_back(a.subtype);
    counts.push_back(static_cast<std::int64_t>(a.count));
    return SendResult::delivered;
  }
  void reopen() override { ++reopens; }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mu);
      hold = false;
    }
    cv.notify_all();
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return got.size();
  }
};

QueuedExporterOptions fast(std::size_t capacity = 100) {
  QueuedExporterOptions o;
  o.queue_capacity = capacity;
  o.initial_backoff = 5ms;
  o.max_backoff = 20ms;
  return o;
}

std::uint64_t counter_value(const Counters& c, const std::string& name) {
  for (const auto& s : c.snapshot())
    if (s.name == name) return s.value;
  return ~0ull;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_record)

BOOST_AUTO_TEST_CASE(values_are_quoted_or_hex_encoded_as_audit_does) {
  BOOST_TEST(audit_field("a", "/bin/sh") == "a=\"/bin/sh\"");
  BOOST_TEST(audit_field("a", "my tool") == "a=6D7920746F6F6C");
  BOOST_TEST(audit_field("a", "it's") == "a=69742773");
  BOOST_TEST(audit_field("a", "q\"") == "a=7122");
  BOOST_TEST(audit_field("a", "") == "a=?");
}

BOOST_AUTO_TEST_CASE(record_text_has_every_field_in_order) {
  const std::string t = audit_record_text(sample_alarm());
  BOOST_TEST(t == "op=cshield-alarm alarm_type=\"file_escape\" alarm_subtype=\"read\" alarm_severity=\"high\" "
                  "alarm_category=\"exploit\" container_id=\"" + std::string(64, 'a') +
                  "\" container_name=\"web|1\" container_image=\"nginx:1.27\" alarm_pid=4242 "
                  "alarm_exe=2F7573722F62696E2F6D7920746F6F6C alarm_syscall=\"openat\" "
                  "alarm_path=\"/hostetc/shadow\" alarm_count=1 alarm_serial=18734 alarm_host=? alarm_id=?");
  Alarm named = sample_alarm();
  named.host = "node-a.example";
  named.id = 42;
  const std::string n = audit_record_text(named);
  BOOST_TEST(n.substr(n.size() - 40) == " alarm_host=\"node-a.example\" alarm_id=42", n);
  Alarm host = sample_alarm();
  host.container.reset();
  host.path.reset();
  const std::string h = audit_record_text(host);
  BOOST_TEST(h.find("container_id=? container_name=? container_image=?") != std::string::npos);
  BOOST_TEST(h.find("alarm_path=?") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cef)

BOOST_AUTO_TEST_CASE(escaping_follows_the_spec) {
  BOOST_TEST(cef_escape_header("a|b\\c=d") == "a\\|b\\\\c=d");
  BOOST_TEST(cef_escape_value("a|b\\c=d\ne") == "a|b\\\\c\\=d\\ne");
  BOOST_TEST(cef_severity("critical") == 10);
  BOOST_TEST(cef_severity("high") == 8);
  BOOST_TEST(cef_severity("medium") == 5);
  BOOST_TEST(cef_severity("low") == 3);
}

BOOST_AUTO_TEST_CASE(an_alarm_in_cef) {
  Alarm a = sample_alarm();
  a.name = "File escape: a|b";
  const std::string c = format_cef(a, "0.1.0", "host1");
  BOOST_TEST(c.rfind("CEF:0|cshield|cshield|0.1.0|file_escape/read|File escape: a\\|b|8|", 0) == 0u, c);
  for (const char* part :
       {"rt=1764175801123 ", "cat=exploit ", "act=alert ", "cnt=1 ", "dvchost=host1 ", "spid=4242 ", "sproc=cat ",
        "suid=0 ", "filePath=/hostetc/shadow ", "cs1Label=containerId ", "cs2=web|1 cs2Label=containerName ",
        "cs3=nginx:1.27 cs3Label=containerImage ", "cs4=openat cs4Label=syscall ", "cs5=/usr/bin/my tool cs5Label=exe ",
        "cs6=cat a\\=b\\\\c cs6Label=cmdline ", "cn1=18734 cn1Label=auditSerial ", "msg=read a\\=1|x"})
    BOOST_TEST(c.find(part) != std::string::npos, "missing '" << part << "' in " << c);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(syslog)

BOOST_AUTO_TEST_CASE(rfc5424_header_and_octet_counting) {
  const std::string m = rfc5424_message(syslog_priority("high"), 1764175801123, "host 1", "cshieldd", "77",
                                        "file_escape", "hello");
  BOOST_TEST(m == "<107>1 2025-11-26T16:50:01.123Z host_1 cshieldd 77 file_escape - hello");
  BOOST_TEST(syslog_priority("critical") == 106);
  BOOST_TEST(rfc5424_message(110, 0, "", "", "", "", "x") == "<110>1 1970-01-01T00:00:00.000Z - - - - - x");
  BOOST_TEST(octet_counted("abc") == "3 abc");
}

BOOST_AUTO_TEST_CASE(targets_parse) {
  std::string e;
  auto t = parse_syslog_target("tcp://[::1]:6514", e);
  BOOST_REQUIRE(t);
  BOOST_TEST(t->tcp);
  BOOST_TEST(t->host == "::1");
  BOOST_TEST(t->port == "6514");
  BOOST_TEST(!parse_syslog_target("udp://host", e));
  BOOST_TEST(!parse_syslog_target("http://h:1", e));
}

BOOST_AUTO_TEST_CASE(udp_sends_one_rfc5424_datagram_per_alarm_in_cef) {
  const int rx = bound_socket(SOCK_DGRAM);
  SyslogChannel ch({false, "127.0.0.1", std::to_string(port_of(rx))}, SyslogChannel::Format::cef, "0.1.0");
  std::string error;
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  const std::string got = receive_some(rx);
  BOOST_TEST(got.rfind("<107>1 2025-11-26T16:50:01.123Z ", 0) == 0u, got);
  BOOST_TEST(got.find(" cshieldd " + std::to_string(::getpid()) + " file_escape - CEF:0|cshield|") !=
             std::string::npos, got);
  ::close(rx);
}

BOOST_AUTO_TEST_CASE(the_node_that_raised_an_alarm_names_itself_in_syslog_cef_and_json) {
  const int rx = bound_socket(SOCK_DGRAM);
  Alarm a = sample_alarm();
  a.host = "worker-7";
  std::string error;
  SyslogChannel cef({false, "127.0.0.1", std::to_string(port_of(rx))}, SyslogChannel::Format::cef, "0.1.0");
  BOOST_REQUIRE(cef.send(a, error) == SendResult::delivered);
  std::string got = receive_some(rx);
  BOOST_TEST(got.rfind("<107>1 2025-11-26T16:50:01.123Z worker-7 cshieldd ", 0) == 0u, got);
  BOOST_TEST(got.find(" dvchost=worker-7 ") != std::string::npos, got);
  SyslogChannel json({false, "127.0.0.1", std::to_string(port_of(rx))}, SyslogChannel::Format::json, "0.1.0");
  BOOST_REQUIRE(json.send(a, error) == SendResult::delivered);
  got = receive_some(rx);
  BOOST_TEST(got.rfind("<107>1 2025-11-26T16:50:01.123Z worker-7 cshieldd ", 0) == 0u, got);
  auto o = Poco::JSON::Parser().parse(got.substr(got.find('{'))).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(o->getValue<std::string>("host") == "worker-7");
  ::close(rx);
}

BOOST_AUTO_TEST_CASE(udp_refuses_what_does_not_fit_a_datagram) {
  const int rx = bound_socket(SOCK_DGRAM);
  SyslogChannel ch({false, "127.0.0.1", std::to_string(port_of(rx))}, SyslogChannel::Format::json, "0.1.0");
  Alarm big = sample_alarm();
  big.description = std::string(70000, 'x');
  std::string error;
  BOOST_TEST((ch.send(big, error) == SendResult::rejected));
  BOOST_TEST(error.find("datagram") != std::string::npos);
  ::close(rx);
}

BOOST_AUTO_TEST_CASE(tcp_frames_by_octet_count_and_reconnects_after_the_receiver_returns) {
  int listener = bound_socket(SOCK_STREAM);
  const int port = port_of(listener);
  SyslogChannel ch({true, "127.0.0.1", std::to_string(port)}, SyslogChannel::Format::json, "0.1.0");
  std::string error;
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  int conn = ::accept(listener, nullptr, nullptr);
  BOOST_REQUIRE(conn >= 0);
  std::string stream;
  std::vector<std::string> messages;
  BOOST_TEST(eventually([&] {
    stream += receive_some(conn, 100);
    messages.clear();
    return split_octet_counted(stream, messages) && messages.size() == 2;
  }));
  BOOST_REQUIRE_EQUAL(messages.size(), 2u);
  const auto json_at = messages[0].find(" - {");
  BOOST_REQUIRE(json_at != std::string::npos);
  auto parsed = Poco::JSON::Parser().parse(messages[0].substr(json_at + 3)).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(parsed->getValue<std::string>("type") == "file_escape");
  BOOST_TEST(parsed->get("id").isEmpty());
  BOOST_TEST(parsed->getObject("container")->getValue<std::string>("name") == "web|1");

  // The receiver goes away: the closed connection is noticed before the
  // next alarm is written into it, so that alarm fails (and is retried).
  ::close(conn);
  ::close(listener);
  BOOST_TEST((ch.send(sample_alarm(), error) == SendResult::failed));
  BOOST_TEST(error.find("127.0.0.1:" + std::to_string(port)) != std::string::npos, error);
  // It comes back on the same port: the next send reconnects.
  listener = bound_socket(SOCK_STREAM, port);
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  conn = ::accept(listener, nullptr, nullptr);
  messages.clear();
  stream.clear();
  BOOST_TEST(eventually([&] {
    stream += receive_some(conn, 100);
    messages.clear();
    return split_octet_counted(stream, messages) && messages.size() == 1;
  }));
  ::close(conn);
  ::close(listener);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(queued)

// Alarms that do not fold into each other (the exporter folds repeats).
Alarm distinct_alarm(int i) {
  Alarm a = sample_alarm();
  a.subtype = "s" + std::to_string(i);
  return a;
}

BOOST_AUTO_TEST_CASE(a_failing_channel_is_retried_with_backoff_then_delivery_resumes) {
  Counters counters;
  auto owned = std::make_unique<FakeChannel>();
  FakeChannel& ch = *owned;
  ch.fail = true;
  QueuedExporter ex("fake", "test", std::move(owned), counters, fast());
  ex.start();
  Alarm a = sample_alarm();
  a.subtype = "one";
  ex.publish(a);
  BOOST_TEST(eventually([&] { return ex.status().retries >= 3; }));
  BOOST_TEST(ex.status().failing);
  BOOST_TEST(ex.status().last_error == "receiver down");
  a.subtype = "two";
  ex.publish(a);
  ch.fail = false;
  // The channel holds the second alarm before the exporter, back from
  // send(), has counted it and cleared `failing`: wait for both.
  BOOST_TEST(eventually([&] { return ch.count() == 2 && ex.status().sent == 2u && !ex.status().failing; }));
  BOOST_TEST(ch.got[0] == "one");
  BOOST_TEST(ch.got[1] == "two");
  BOOST_TEST(ex.status().sent == 2u);
  BOOST_TEST(!ex.status().failing);
  BOOST_TEST(counter_value(counters, "export.fake.sent") == 2u);
  BOOST_TEST(counter_value(counters, "export.fake.retries") == ex.status().retries);
  ex.stop();
}

BOOST_AUTO_TEST_CASE(a_stuck_channel_never_blocks_publish_and_drops_are_counted) {
  Counters counters;
  auto owned = std::make_unique<FakeChannel>();
  FakeChannel& ch = *owned;
  ch.hold = true;
  QueuedExporter ex("fake", "test", std::move(owned), counters, fast(10));
  ex.start();
  ex.publish(sample_alarm());
  BOOST_REQUIRE(eventually([&] { return ex.status().depth == 0; }));  // taken: stuck in the channel
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) ex.publish(distinct_alarm(i));
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 1s));
  // Ten wait; the rest were dropped.
  BOOST_TEST(ex.status().dropped == 990u);
  BOOST_TEST(counter_value(counters, "export.fake.dropped") == 990u);
  BOOST_TEST(counter_value(counters, "export.fake.depth") == 10u);
  ch.release();
  BOOST_TEST(eventually([&] { return ch.count() == 11; }));
  ex.stop();
}

BOOST_AUTO_TEST_CASE(rejected_alarms_are_dropped_not_retried) {
  Counters counters;
  auto owned = std::make_unique<FakeChannel>();
  FakeChannel& ch = *owned;
  ch.reject_next = true;
  QueuedExporter ex("fake", "test", std::move(owned), counters, fast());
  ex.start();
  ex.publish(distinct_alarm(1));
  ex.publish(distinct_alarm(2));
  BOOST_TEST(eventually([&] { return ch.count() == 1; }));
  BOOST_TEST(ex.status().dropped == 1u);
  BOOST_TEST(ex.status().retries == 0u);
  ex.stop();
}

BOOST_AUTO_TEST_CASE(stop_gives_up_on_a_dead_channel_quickly_and_counts_it) {
  Counters counters;
  auto owned = std::make_unique<FakeChannel>();
  owned->fail = true;
  QueuedExporter ex("fake", "test", std::move(owned), counters, fast(1000));
  ex.start();
  for (int i = 0; i < 500; ++i) ex.publish(distinct_alarm(i));
  const auto t0 = std::chrono::steady_clock::now();
  ex.stop();
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));
  BOOST_TEST(ex.status().dropped == 500u);
  BOOST_TEST(ex.status().sent == 0u);
}

BOOST_AUTO_TEST_CASE(repeats_queued_together_go_out_once_with_their_count) {
  Counters counters;
  auto owned = std::make_unique<FakeChannel>();
  FakeChannel& ch = *owned;
  ch.hold = true;
  QueuedExporter ex("fake", "test", std::move(owned), counters, fast());
  ex.start();
  ex.publish(distinct_alarm(0));
  BOOST_REQUIRE(eventually([&] { return ex.status().depth == 0; }));  // taken: stuck in the channel
  for (int i = 0; i < 50; ++i) ex.publish(sample_alarm());            // a storm queues behind it
  ex.publish(distinct_alarm(1));
  ch.release();
  BOOST_TEST(eventually([&] { return ch.count() == 3; }));
  BOOST_TEST(counter_value(counters, "export.fake.folded") == 49u);
  BOOST_TEST(ch.got[1] == sample_alarm().subtype);
  BOOST_TEST(ch.counts[1] == 50);
  BOOST_TEST(ch.got[2] == "s1");
  BOOST_TEST(ex.status().dropped == 0u);
  ex.stop();
  BOOST_TEST(ch.count() == 3u);
}

// While alarms keep coming the exporter gathers them, but a lone alarm goes
// out at once, and a full batch ends the gather: a flood never waits for it
// (nor fills the queue).
BOOST_AUTO_TEST_CASE(a_full_batch_ends_the_gather) {
  Counters counters;
  auto owned = std::make_unique<FakeChannel>();
  FakeChannel& ch = *owned;
  QueuedExporterOptions options = fast(1000);
  options.gather = 1h;
  options.busy_within = 30min;  // the first alarm: none delivered within it
  options.max_batch = 64;
  QueuedExporter ex("fake", "test", std::move(owned), counters, options);
  ex.start();
  ex.publish(distinct_alarm(0));
  BOOST_TEST(eventually([&] { return ch.count() == 1; }));  // lone: not gathered
  for (int i = 1; i <= 64; ++i) ex.publish(distinct_alarm(i));
  BOOST_TEST(eventually([&] { return ch.count() == 65; }));  // within eventually(), not an hour
  BOOST_TEST(ex.status().dropped == 0u);
  ex.stop();
}

BOOST_AUTO_TEST_CASE(reopen_reaches_the_channel) {
  Counters counters;
  auto owned = std::make_unique<FakeChannel>();
  FakeChannel& ch = *owned;
  QueuedExporter ex("fake", "test", std::move(owned), counters, fast());
  ex.start();
  ex.request_reopen();
  BOOST_TEST(eventually([&] { return ch.reopens == 1; }));
  ex.stop();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(jsonl)

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

BOOST_AUTO_TEST_CASE(one_json_object_a_line_and_a_new_file_after_reopen) {
  char tmpl[] = "/tmp/cshield-jsonl-XXXXXX";
  BOOST_REQUIRE(::mkdtemp(tmpl));
  const std::string dir = tmpl, path = dir + "/alarms.jsonl";
  JsonlChannel ch(path);
  std::string error;
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  BOOST_REQUIRE(::rename(path.c_str(), (path + ".1").c_str()) == 0);  // logrotate
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  BOOST_TEST(lines_of(path + ".1").size() == 3u);  // still the open file
  ch.reopen();
  BOOST_REQUIRE(ch.send(sample_alarm(), error) == SendResult::delivered);
  const auto fresh = lines_of(path);
  BOOST_REQUIRE_EQUAL(fresh.size(), 1u);
  auto o = Poco::JSON::Parser().parse(fresh[0]).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(o->getValue<std::string>("subtype") == "read");
  BOOST_TEST(o->getObject("process")->getValue<int>("pid") == 4242);
  BOOST_TEST(o->get("host").isEmpty());  // no node named: null
  Alarm named = sample_alarm();
  named.host = "worker-7";
  BOOST_REQUIRE(ch.send(named, error) == SendResult::delivered);
  auto n = Poco::JSON::Parser().parse(lines_of(path).back()).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(n->getValue<std::string>("host") == "worker-7");
  struct stat st {};
  ::stat(path.c_str(), &st);
  BOOST_TEST((st.st_mode & 0777) == 0640u);

  JsonlChannel nowhere(dir + "/missing/alarms.jsonl");
  BOOST_TEST((nowhere.send(sample_alarm(), error) == SendResult::failed));
  BOOST_TEST(error.find("No such file") != std::string::npos);
  BOOST_TEST(std::system(("rm -rf " + dir).c_str()) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exporter_set)

BOOST_AUTO_TEST_CASE(builds_what_is_configured_and_reports_status) {
  Counters counters;
  ExportOptions o;
  o.syslog = "udp://127.0.0.1:9";
  o.jsonl = "/nonexistent-dir/a.jsonl";
  o.queue = fast();
  ExporterSet set(o, counters);
  auto st = set.status_json();
  BOOST_REQUIRE_EQUAL(st->size(), 2u);
  BOOST_TEST(st->getObject(0)->getValue<std::string>("name") == "syslog");
  BOOST_TEST(st->getObject(1)->getValue<std::string>("target") == "/nonexistent-dir/a.jsonl");
  set.start();
  set.sink().publish(sample_alarm());
  BOOST_TEST(eventually([&] { return set.status()[1].retries > 0; }));
  BOOST_TEST(set.status_json()->getObject(1)->getValue<std::string>("last_error").find("/nonexistent-dir") == 0u);
  set.stop();
  o.syslog = "ftp://x:1";
  BOOST_CHECK_THROW(ExporterSet(o, counters), std::invalid_argument);
  ExporterSet none(ExportOptions{}, counters);
  BOOST_TEST(none.empty());
  none.sink().publish(sample_alarm());
}

BOOST_AUTO_TEST_SUITE_END()
