#define BOOST_TEST_MODULE core
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "core/alarm.h"
#include "core/audit_event.h"
#include "core/audit_rule.h"
#include "core/bounded_queue.h"
#include "core/change_signal.h"
#include "core/counters.h"
#include "core/time_format.h"

using namespace cshield;

BOOST_AUTO_TEST_CASE(time_round_trip) {
  BOOST_TEST(format_rfc3339_ms(1764175801123) == "2025-11-26T16:50:01.123Z");
  BOOST_TEST(*parse_time_ms("2025-11-26T16:50:01.123Z") == 1764175801123);
  BOOST_TEST(*parse_time_ms("2025-11-26T17:50:01.1+01:00") == 1764175801100);
  BOOST_TEST(*parse_time_ms("1764175801") == 1764175801000);
  BOOST_TEST(!parse_time_ms("yesterday"));
  BOOST_TEST(!parse_time_ms("2025-11-26T16:50:01"));  // no zone: ambiguous
  // Found by fuzz_api: a huge epoch overflowed the conversion.
  BOOST_TEST(!parse_time_ms("17700000000000000000000000000"));
  BOOST_TEST(format_rfc3339_ms(INT64_MAX) == "9999-12-31T23:59:59.999Z");
  BOOST_TEST(format_rfc3339_ms(-5) == "1970-01-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(queue_drops_when_full_and_drains_after_close) {
  BoundedQueue<int> q(2);
  BOOST_TEST(q.try_push(1));
  BOOST_TEST(q.try_push(2));
  BOOST_TEST(!q.try_push(3));
  BOOST_TEST(q.dropped() == 1u);
  q.close();
  BOOST_TEST(*q.pop_for(std::chrono::milliseconds(0)) == 1);
  BOOST_TEST(*q.pop_for(std::chrono::milliseconds(0)) == 2);
  BOOST_TEST(!q.pop_for(std::chrono::milliseconds(1000)));  // closed: returns at once
}

BOOST_AUTO_TEST_CASE(queue_wakes_a_waiting_consumer) {
  BoundedQueue<int> q(4);
  std::thread producer([&] { q.try_push(7); });
  auto v = q.pop_for(std::chrono::seconds(10));
  producer.join();
  BOOST_REQUIRE(v);
  BOOST_TEST(*v == 7);
}

BOOST_AUTO_TEST_CASE(queue_push_for_waits_for_room_below_its_limit) {
  BoundedQueue<int> q(8);
  int item = 1;
  BOOST_TEST(q.push_for(item, std::chrono::milliseconds(0), 1));
  item = 2;
  BoundedQueue<int> full(1);  // without a limit, the capacity is the bound
  BOOST_TEST(full.push_for(item, std::chrono::milliseconds(0)));
  BOOST_TEST(!full.push_for(item, std::chrono::milliseconds(0)));
  BOOST_TEST(!q.push_for(item, std::chrono::milliseconds(0), 1));  // at the limit: not taken, not a drop
  BOOST_TEST(item == 2);
  BOOST_TEST(q.dropped() == 0u);
  std::thread consumer([&] { q.pop_for(std::chrono::seconds(10)); });
  BOOST_TEST(q.push_for(item, std::chrono::seconds(10), 1));  // the pop makes room
  consumer.join();
  BOOST_TEST(q.size() == 1u);
  q.close();
  item = 3;
  BOOST_TEST(!q.push_for(item, std::chrono::seconds(10), 8));  // closed: returns at once
}

BOOST_AUTO_TEST_CASE(counters_snapshot) {
  Counters c;
  c.counter("a.b", "help").add(3);
  c.counter("a.b", "help").add(1);
  c.gauge_fn("q.depth", "depth", [] { return 5u; });
  auto s = c.snapshot();
  BOOST_REQUIRE(s.size() == 2u);
  BOOST_TEST(s[0].name == "a.b");
  BOOST_TEST(s[0].value == 4u);
  BOOST_TEST(s[1].value == 5u);
  BOOST_TEST(s[1].gauge);
}

BOOST_AUTO_TEST_CASE(alarm_types_and_fold_key) {
  auto a = make_alarm("high_risk_syscall", "ptrace", "ptrace");
  BOOST_TEST(a.name == "High-risk system call: ptrace");
  BOOST_TEST(a.severity == "high");
  BOOST_TEST(a.category == "abnormal_system_behavior");
  auto b = a;
  b.process.pid = 99;  // a different pid of the same executable folds
  BOOST_TEST(a.fold_key() == b.fold_key());
  b.syscall = "setns";
  BOOST_TEST(a.fold_key() != b.fold_key());
  BOOST_CHECK_THROW(make_alarm("nope", "", ""), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(record_numbers) {
  AuditRecord r;
  r.add_field("a0", "ffffffffffffff9c");
  r.add_field("exit", "-13", "EACCES");
  r.add_field("pid", "42");
  BOOST_TEST(*r.number("a0") == -100);
  BOOST_TEST(*r.number("exit") == -13);
  BOOST_TEST(*r.number("pid") == 42);
  BOOST_TEST(!r.number("ppid"));
}

BOOST_AUTO_TEST_CASE(rule_text) {
  AuditRule r;
  r.arch = "b64";
  r.syscalls = {"ptrace", "setns"};
  r.key = "cshield.high_risk_syscall";
  BOOST_TEST(r.to_auditctl() == "-a always,exit -F arch=b64 -S ptrace,setns -k cshield.high_risk_syscall");
  AuditRule w;
  w.kind = AuditRule::Kind::kWatch;
  w.path = "/etc/shadow";
  w.perms = "rwa";
  w.key = "cshield.file_escape";
  BOOST_TEST(w.to_auditctl() == "-w /etc/shadow -p rwa -k cshield.file_escape");
}

BOOST_AUTO_TEST_CASE(change_signal_wakes_waiters_past_their_generation) {
  using std::chrono::steady_clock;
  ChangeSignal s;
  const auto seen = s.generation();
  s.notify();  // a change between the look and the wait is not missed
  BOOST_TEST(*s.wait_past(seen, steady_clock::now() + std::chrono::seconds(10), nullptr) == seen + 1);

  std::uint64_t woke_at = 0;
  std::thread waiter([&] {
    woke_at = s.wait_past(seen + 1, steady_clock::now() + std::chrono::seconds(10), nullptr).value_or(0);
  });
  s.notify();
  waiter.join();
  BOOST_TEST(woke_at == seen + 2);

  // No change: the deadline ends the wait.
  const auto started = steady_clock::now();
  BOOST_TEST(!s.wait_past(s.generation(), started + std::chrono::milliseconds(20), nullptr));
  BOOST_TEST((steady_clock::now() - started >= std::chrono::milliseconds(20)));

  // wake_all() ends a wait whose give-up predicate became true.
  std::atomic<bool> give_up{false};
  std::optional<std::uint64_t> result = 7;
  std::thread stopper_waits([&] {
    result = s.wait_past(s.generation(), steady_clock::now() + std::chrono::seconds(30), [&] { return give_up.load(); });
  });
  give_up = true;
  s.wake_all();
  stopper_waits.join();  // long before 30 s
  BOOST_TEST(!result);
}
