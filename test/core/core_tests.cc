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

BOOST_AUTO_TEST_CASE(record_numbers_beyond_plain_digits_read_as_strtoll_reads_them) {
  AuditRecord r;
  r.add_field("a1", "0x10");                  // strtoull's prefix
  r.add_field("ppid", " 42");                 // leading blank
  r.add_field("uid", "+7");
  r.add_field("gid", "12abc");
  r.add_field("ses", "99999999999999999999");  // out of range
  r.add_field("a2", "1ffffffffffffffff");
  r.add_field("a3", "-1");
  BOOST_TEST(*r.number("a1") == 16);
  BOOST_TEST(*r.number("ppid") == 42);
  BOOST_TEST(*r.number("uid") == 7);
  BOOST_TEST(!r.number("gid"));
  BOOST_TEST(!r.number("ses"));
  BOOST_TEST(!r.number("a2"));
  BOOST_TEST(*r.number("a3") == -1);
}

namespace {

// A record big enough that its storage grows several times, with a value
// decoded (a view of its raw value), one interpreted (copied in) and one as
// written.
AuditRecord big_record(const std::string& tag) {
  AuditRecord r;
  r.type = rec::kPath;
  r.type_name = "PATH";
  for (int i = 0; i < 200; ++i) {
    const std::string name = "field_" + std::to_string(i);
    AuditField& f = r.add_field(name.c_str(), ("\"" + tag + std::string(i % 40, 'x') + "\"").c_str());
    r.set_text(f, f.raw.substr(1, f.raw.size() - 2));
  }
  r.add_field("syscall", "59", "execve");
  r.add_field("inode", tag);
  return r;
}

void expect_big_record(const AuditRecord& r, const std::string& tag) {
  BOOST_REQUIRE_EQUAL(r.fields.size(), 202u);
  for (int i = 0; i < 200; ++i) {
    const std::string value = tag + std::string(i % 40, 'x');
    const AuditField* f = r.field("field_" + std::to_string(i));
    BOOST_REQUIRE(f);
    BOOST_TEST(f->raw == "\"" + value + "\"");
    BOOST_TEST(f->text() == value);
    BOOST_TEST(f->raw.data()[f->raw.size()] == '\0');  // raw is a C string
  }
  BOOST_TEST(r.text_view("syscall") == "execve");
  BOOST_TEST(r.raw_view("syscall") == "59");
  BOOST_TEST(r.text_view("inode") == tag);
  BOOST_TEST(r.text_view("inode").data() == r.raw_view("inode").data());  // no second copy
}

}  // namespace

// Fields are views into storage the record owns: a copy must view its own,
// and a move must carry it along. The original is overwritten and destroyed
// before the copy is read, so a view left pointing at it reads the wrong
// text (or, under ASan, freed memory).
BOOST_AUTO_TEST_CASE(record_views_follow_their_storage_through_copies_moves_and_growth) {
  std::vector<AuditRecord> copies;
  {
    AuditRecord original = big_record("first");
    expect_big_record(original, "first");
    copies.push_back(original);
    AuditEvent ev;
    ev.records.push_back(original);
    const AuditEvent copied_event = ev;  // events copy their records deep
    original.clear();
    for (int i = 0; i < 300; ++i) original.add_field("overwritten", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
    ev.records.clear();
    expect_big_record(copied_event.records.front(), "first");
    copies.push_back(copied_event.records.front());
  }
  for (int i = 0; i < 50; ++i) copies.push_back(big_record("moved" + std::to_string(i)));  // reallocations move records
  expect_big_record(copies[0], "first");
  expect_big_record(copies[1], "first");
  for (int i = 0; i < 50; ++i) expect_big_record(copies[2 + i], "moved" + std::to_string(i));
  AuditRecord assigned;
  assigned = copies[5];
  copies.clear();
  expect_big_record(assigned, "moved3");
  AuditRecord moved = std::move(assigned);
  expect_big_record(moved, "moved3");
  BOOST_TEST(assigned.fields.empty());
}

BOOST_AUTO_TEST_CASE(fields_added_from_the_records_own_views_survive_its_growth) {
  AuditRecord r;
  r.add_field("name", "\"/etc/shadow\"", "/etc/shadow");
  for (int i = 0; i < 500; ++i) {
    r.add_field(r.fields.front().name, r.fields.front().raw, r.fields.front().text());  // views into r's own storage
    r.add_field(r.fields.front().name.data(), r.fields.front().raw.data());               // and C strings of it
  }
  for (const auto& f : r.fields) {
    BOOST_TEST(f.name == "name");
    BOOST_TEST(f.raw == "\"/etc/shadow\"");
  }
  BOOST_TEST(r.fields[1].text() == "/etc/shadow");
  BOOST_TEST(r.fields[2].text() == "\"/etc/shadow\"");  // added without a text: as written
}

// The assembler's add_field(const char*, const char*) copies the first
// bytes of names and values without a bound check, the rest bounded: every
// length around those bounds and the storage's, whole and findable.
BOOST_AUTO_TEST_CASE(c_string_fields_of_every_length_are_copied_whole) {
  AuditRecord r;
  std::vector<std::pair<std::string, std::string>> added;
  auto text = [](std::size_t n, char first) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(first + i % 23));
    return s;
  };
  for (int round = 0; round < 3; ++round) {
    for (std::size_t name_size = 1; name_size <= 20; ++name_size) {
      for (std::size_t value_size : {0u, 1u, 7u, 8u, 15u, 16u, 17u, 18u, 40u, 600u, 5000u}) {
        const std::string name = text(name_size, static_cast<char>('a' + round)) + std::to_string(added.size());
        const std::string value = text(value_size, 'A');
        r.add_field(name.c_str(), value.c_str());
        added.emplace_back(name, value);
      }
    }
    const std::string long_name = text(1000 + round, 'a') + "#";
    r.add_field(long_name.c_str(), "v");
    added.emplace_back(long_name, "v");
  }
  BOOST_REQUIRE_EQUAL(r.fields.size(), added.size());
  for (std::size_t i = 0; i < added.size(); ++i) {
    BOOST_TEST_CONTEXT("field " << i) {
      BOOST_TEST(r.fields[i].name == added[i].first);
      BOOST_TEST(r.fields[i].raw == added[i].second);
      BOOST_TEST(r.fields[i].raw.data()[r.fields[i].raw.size()] == '\0');
      BOOST_TEST(r.field(added[i].first) == &r.fields[i]);
    }
  }
  r.add_field("x", nullptr);  // a null value reads as empty
  BOOST_TEST(r.raw_view("x").empty());
  BOOST_TEST(r.field("x") == &r.fields.back());
}

// add_field_view() keeps the caller's text where it is; a copy of the
// record must not: it copies that text (and a text that views part of a
// raw value follows it), so the copy reads the same once the caller's text
// is overwritten and gone. A view field is found as a copied one is.
BOOST_AUTO_TEST_CASE(view_fields_view_the_callers_text_and_copies_copy_it) {
  std::vector<std::string> names, values;
  for (std::size_t n = 0; n <= 20; ++n) names.push_back(std::string(n, 'n') + std::to_string(n));
  for (std::size_t n = 0; n <= 20; ++n) values.push_back("\"" + std::string(n * 37, 'v') + "\"");
  names.push_back("");
  values.push_back("");
  std::optional<AuditRecord> copy;
  {
    AuditRecord r;
    r.add_field("type", "PATH");  // a copied field beside the views
    for (std::size_t i = 0; i < names.size(); ++i) {
      AuditField& f = r.add_field_view(names[i].c_str(), values[i].c_str());
      BOOST_TEST(static_cast<const void*>(f.name.data()) == static_cast<const void*>(names[i].data()));
      BOOST_TEST(static_cast<const void*>(f.raw.data()) == static_cast<const void*>(values[i].data()));
      if (values[i].size() >= 2) r.set_text(f, f.raw.substr(1, f.raw.size() - 2));  // a view of its raw: no copy
      if (values[i].size() >= 2) BOOST_TEST(static_cast<const void*>(f.text().data()) == static_cast<const void*>(values[i].data() + 1));
    }
    r.set_text(r.fields[3], "decoded elsewhere");  // copied in
    r.add_field_view("nullvalue", nullptr);
    for (std::size_t i = 0; i < names.size(); ++i) BOOST_TEST(r.field(names[i]) == &r.fields[i + 1]);
    copy.emplace(r);
    for (auto& v : values) std::fill(v.begin(), v.end(), 'X');
    for (auto& n : names) std::fill(n.begin(), n.end(), 'X');
  }
  names.clear();
  values.clear();
  BOOST_REQUIRE_EQUAL(copy->fields.size(), 24u);
  BOOST_TEST(copy->raw_view("type") == "PATH");
  for (std::size_t n = 0; n <= 20; ++n) {
    BOOST_TEST_CONTEXT("field " << n) {
      const std::string name = std::string(n, 'n') + std::to_string(n), value = std::string(n * 37, 'v');
      BOOST_REQUIRE(copy->field(name));
      BOOST_TEST(copy->field(name)->raw == "\"" + value + "\"");
      BOOST_TEST(copy->field(name)->raw.data()[value.size() + 2] == '\0');
      if (n != 2) BOOST_TEST(copy->field(name)->text() == value);
    }
  }
  BOOST_TEST(copy->fields[3].text() == "decoded elsewhere");
  BOOST_TEST(copy->raw_view("").empty());
  BOOST_TEST(copy->field("nullvalue"));
  BOOST_TEST(copy->raw_view("nullvalue").empty());
}

BOOST_AUTO_TEST_CASE(field_lookup_tells_apart_names_that_share_a_beginning_or_a_length) {
  AuditRecord r;
  const std::string long_a(300, 'x'), long_b = std::string(299, 'x') + "y";
  r.add_field("cap_fp", "1");
  r.add_field("cap_fi", "2");
  r.add_field("abcdefgh1", "3");
  r.add_field("abcdefgh2", "4");
  r.add_field(long_a, "5");
  r.add_field(long_b, "6");
  r.add_field("", "7");
  r.add_field("a0", "8");
  BOOST_TEST(r.raw_view("cap_fp") == "1");
  BOOST_TEST(r.raw_view("cap_fi") == "2");
  BOOST_TEST(r.raw_view("abcdefgh1") == "3");
  BOOST_TEST(r.raw_view("abcdefgh2") == "4");
  BOOST_TEST(r.raw_view(long_a) == "5");
  BOOST_TEST(r.raw_view(long_b) == "6");
  BOOST_TEST(r.raw_view("") == "7");
  BOOST_TEST(r.raw_view("a0") == "8");
  BOOST_TEST(!r.field("abcdefgh3"));
  BOOST_TEST(!r.field("cap_f"));
  BOOST_TEST(!r.field("a"));
  BOOST_TEST(!r.field(std::string_view("a0\0", 3)));
  BOOST_TEST(!r.field(std::string(301, 'x')));
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
