// RepeatFolder: repeats folded before the store must leave the store with
// the rows it would have had from every alarm one by one.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "alarm/repeat_folder.h"
#include "core/counters.h"
#include "store/sqlite_store.h"
#include "support/store_sink.h"
#include "support/temp_dir.h"

using namespace cshield;

namespace {

class RecordingSink : public AlarmSink {
 public:
  void publish(const Alarm& a) override { received.push_back(a); }
  std::vector<Alarm> received;
};

using cshield::testing::StoreSink;

Alarm alarm(std::string subtype, std::int64_t at_ms, std::string container = "c1", std::string exe = "/bin/x",
            std::string syscall = "ptrace", std::optional<std::string> path = std::nullopt) {
  Alarm a = make_alarm("high_risk_syscall", std::move(subtype), "t");
  ContainerInfo c;
  c.id = std::move(container);
  c.runtime = "unknown";
  a.container = c;
  a.process.exe = std::move(exe);
  a.syscall = std::move(syscall);
  a.path = std::move(path);
  a.first_seen_ms = a.last_seen_ms = a.audit_time_ms = at_ms;
  a.evidence_json = "{\"at\":" + std::to_string(at_ms) + "}";
  return a;
}

std::int64_t total_count(const std::vector<Alarm>& alarms) {
  std::int64_t n = 0;
  for (const auto& a : alarms) n += a.count;
  return n;
}

// Two stores with a fold window of 1000 ms: one fed every alarm on its own,
// one fed through the folder under test.
struct DirectAndFolded {
  static constexpr std::int64_t kWindowMs = 1000;
  static StoreOptions options() {
    StoreOptions o;
    o.retention_days = 0;
    o.fold_window_ms = kWindowMs;
    return o;
  }
  cshield::testing::TempDir dir;
  SqliteStore direct{dir / "direct.db", options()}, folded{dir / "folded.db", options()};
  StoreSink to_direct{direct}, to_folded{folded};
};

using Row = std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t, std::string>;  // key, count, first, last, evidence

// A storm of five keys in two containers: now and then a pause beyond the
// fold window, one key (bpf) whose times step back a little, one alarm in
// five already folded upstream (count 3).
class Storm {
 public:
  explicit Storm(unsigned seed) : rng_(seed) {}
  Alarm next() {
    const int r = static_cast<int>(rng_() % 1000);
    t_ += r < 5 ? 1500 + r * 100 : r % 40;
    const std::string& subtype = kSubtypes[rng_() % kSubtypes.size()];
    const std::int64_t at = subtype == "bpf" ? t_ - static_cast<std::int64_t>(rng_() % 200) : t_;
    Alarm a = alarm(subtype, at, rng_() % 7 == 0 ? "c2" : "c1");
    if (rng_() % 5 == 0) a.count = 3;
    return a;
  }
  std::mt19937& rng() { return rng_; }

 private:
  inline static const std::vector<std::string> kSubtypes{"ptrace", "setns", "mount", "bpf", "keyctl"};
  std::mt19937 rng_;
  std::int64_t t_ = 1'700'000'000'000;
};

// Every row, oldest id first.
std::vector<Row> rows(SqliteStore& store) {
  std::vector<Row> out;
  AlarmQuery q;
  q.limit = 1000;
  while (true) {
    AlarmPage page = store.list(q);
    for (const auto& a : page.items)
      out.emplace_back(a.fold_key(), a.count, a.first_seen_ms, a.last_seen_ms, a.evidence_json);
    if (!page.next_before_id) break;
    q.before_id = page.next_before_id;
  }
  return {out.rbegin(), out.rend()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(repeat_folder)

BOOST_AUTO_TEST_CASE(repeats_fold_with_every_count_and_their_first_and_last_seen) {
  RecordingSink next;
  Counters counters;
  Counter& folded = counters.counter("pipeline.folded", "");
  RepeatFolder folder(next, 600000, RepeatFolder::kDefaultMaxHeld, &folded);
  for (int i = 0; i < 1000; ++i) folder.publish(alarm("ptrace", 1000 + i));
  BOOST_TEST(next.received.size() == 1u);  // the first goes on at once
  BOOST_TEST(next.received[0].count == 1);
  folder.flush();
  BOOST_REQUIRE(next.received.size() == 2u);
  BOOST_TEST(total_count(next.received) == 1000);
  BOOST_TEST(next.received[1].count == 999);
  BOOST_TEST(next.received[1].first_seen_ms == 1001);
  BOOST_TEST(next.received[1].last_seen_ms == 1999);
  BOOST_TEST(next.received[1].fold_key() == next.received[0].fold_key());
  BOOST_TEST(folder.folded() == 999u);
  BOOST_TEST(folded.get() == 999u);
  folder.flush();
  BOOST_TEST(next.received.size() == 2u);  // nothing is sent twice
}

BOOST_AUTO_TEST_CASE(alarms_that_differ_in_any_part_of_the_fold_key_never_merge) {
  RecordingSink next;
  RepeatFolder folder(next, 600000);
  const std::vector<Alarm> distinct{
      alarm("ptrace", 1),
      alarm("setns", 2),
      alarm("ptrace", 3, "c2"),
      alarm("ptrace", 4, "c1", "/bin/y"),
      alarm("ptrace", 5, "c1", "/bin/x", "process_vm_writev"),
      alarm("ptrace", 6, "c1", "/bin/x", "ptrace", std::string("/etc/shadow")),
      alarm("ptrace", 7, "c1", "/bin/x", "ptrace", std::string("/etc/gshadow")),
      [] {
        Alarm host = alarm("ptrace", 8);
        host.container.reset();
        return host;
      }(),
      [] {
        Alarm other = alarm("ptrace", 9);
        other.type = "file_escape";
        return other;
      }(),
  };
  for (int round = 0; round < 3; ++round)
    for (const auto& a : distinct) folder.publish(a);
  folder.flush();
  std::map<std::string, std::int64_t> counts;
  for (const auto& a : next.received) counts[a.fold_key()] += a.count;
  BOOST_TEST(counts.size() == distinct.size());
  for (const auto& a : distinct) BOOST_TEST(counts[a.fold_key()] == 3);
  // The first occurrences went on at once, in order.
  for (std::size_t i = 0; i < distinct.size(); ++i) BOOST_TEST(next.received[i].fold_key() == distinct[i].fold_key());
}

BOOST_AUTO_TEST_CASE(a_repeat_outside_the_window_goes_on_after_what_is_held) {
  RecordingSink next;
  RepeatFolder folder(next, 100);
  folder.publish(alarm("ptrace", 1000));
  folder.publish(alarm("ptrace", 1050));
  folder.publish(alarm("setns", 1060));
  folder.publish(alarm("setns", 1070));
  folder.publish(alarm("ptrace", 1101));  // 101 ms after its anchor
  BOOST_REQUIRE(next.received.size() == 5u);
  BOOST_TEST(next.received[2].subtype == "ptrace");  // the held repeats first
  BOOST_TEST(next.received[2].count == 1);
  BOOST_TEST(next.received[2].last_seen_ms == 1050);
  BOOST_TEST(next.received[3].subtype == "setns");
  BOOST_TEST(next.received[4].last_seen_ms == 1101);  // then the new anchor itself
  BOOST_TEST(next.received[4].count == 1);
  folder.flush();
  BOOST_TEST(total_count(next.received) == 5);
}

BOOST_AUTO_TEST_CASE(beyond_max_held_keys_what_is_held_goes_on) {
  RecordingSink next;
  RepeatFolder folder(next, 600000, 2);
  for (int round = 0; round < 2; ++round)
    for (const char* s : {"a", "b", "c"}) folder.publish(alarm(s, 10 + round));
  folder.flush();
  BOOST_TEST(folder.held_keys() == 0u);
  BOOST_TEST(total_count(next.received) == 6);
}

BOOST_AUTO_TEST_CASE(alarms_already_handled_are_not_folded) {
  RecordingSink next;
  RepeatFolder folder(next, 600000);
  Alarm a = alarm("ptrace", 1);
  folder.publish(a);
  folder.publish(a);
  a.status = "ignored";
  folder.publish(a);
  BOOST_REQUIRE(next.received.size() == 3u);
  BOOST_TEST(next.received[1].count == 1);  // the held repeat went first
  BOOST_TEST(next.received[2].status == "ignored");
}

// The store fed through the folder holds the same rows, in the same order,
// with the same counts, first and last seen and evidence, as the store fed
// every alarm on its own: a storm of a few keys with pauses longer than the
// fold window, some keys alternating, one key's times stepping back a little.
BOOST_AUTO_TEST_CASE(the_store_gets_the_rows_it_would_get_from_every_alarm_one_by_one) {
  DirectAndFolded stores;
  auto& [dir, direct, folded, to_direct, to_folded] = stores;
  RepeatFolder folder(to_folded, DirectAndFolded::kWindowMs, 3);

  Storm storm(8);
  std::int64_t published = 0;
  for (int i = 0; i < 3000; ++i) {
    const Alarm a = storm.next();
    to_direct.publish(a);
    folder.publish(a);
    published += a.count;
  }
  folder.flush();
  const auto expected = rows(direct), got = rows(folded);
  BOOST_TEST(expected.size() > 20u);  // pauses split rows
  BOOST_REQUIRE(got.size() == expected.size());
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST(std::get<0>(got[i]) == std::get<0>(expected[i]), "row " << i);
    BOOST_TEST(std::get<1>(got[i]) == std::get<1>(expected[i]), "row " << i << " count");
    BOOST_TEST(std::get<2>(got[i]) == std::get<2>(expected[i]), "row " << i << " first seen");
    BOOST_TEST(std::get<3>(got[i]) == std::get<3>(expected[i]), "row " << i << " last seen");
    BOOST_TEST(std::get<4>(got[i]) == std::get<4>(expected[i]), "row " << i << " evidence");
    sum += std::get<1>(got[i]);
  }
  BOOST_TEST(sum == published);
  BOOST_TEST(folder.folded() > 500u);  // it did fold (3 held keys of 10 at most)
}

// Times that step back: 900 ms after the anchor, then 150 ms before it, is
// within the window (1000) of the anchor but not of the row's last_seen.
BOOST_AUTO_TEST_CASE(a_repeat_out_of_the_window_of_the_rows_last_seen_is_left_to_the_store) {
  DirectAndFolded stores;
  auto& [dir, direct, folded, to_direct, to_folded] = stores;
  RepeatFolder folder(to_folded, DirectAndFolded::kWindowMs);
  for (std::int64_t at : {10000, 10900, 9850, 9900, 10950}) {
    to_direct.publish(alarm("ptrace", at));
    folder.publish(alarm("ptrace", at));
  }
  folder.flush();
  const auto expected = rows(direct), got = rows(folded);
  BOOST_TEST(expected.size() == 2u);
  BOOST_TEST(got == expected);
}

// reads_details() is false exactly for the alarms publish() folds into held
// repeats: the same storm as above, with the evidence and description of
// every alarm it said it would not read thrown away before publishing, ends
// up as the same rows (count, first and last seen, evidence) as every alarm
// with its details stored on its own.
BOOST_AUTO_TEST_CASE(alarms_it_does_not_read_the_details_of_leave_the_same_rows) {
  DirectAndFolded stores;
  auto& [dir, direct, folded, to_direct, to_folded] = stores;
  RepeatFolder folder(to_folded, DirectAndFolded::kWindowMs, 3);

  Storm storm(11);
  std::int64_t published = 0;
  std::size_t without_details = 0;
  for (int i = 0; i < 3000; ++i) {
    Alarm a = storm.next();
    a.description = "seen at " + std::to_string(a.last_seen_ms);
    if (storm.rng()() % 97 == 0) a.status = "ignored";  // never folded: always read
    to_direct.publish(a);
    const bool reads = folder.reads_details(a);
    if (!reads) {
      a.evidence_json = "{}";
      a.description.clear();
      ++without_details;
    }
    const std::uint64_t folded_before = folder.folded();
    folder.publish(a);
    BOOST_TEST((folder.folded() > folded_before) == !reads, "alarm " << i);
    published += a.count;
  }
  folder.flush();
  BOOST_TEST(without_details > 500u);
  const auto expected = rows(direct), got = rows(folded);
  BOOST_REQUIRE(got.size() == expected.size());
  BOOST_TEST(got == expected);
  std::int64_t sum = 0;
  for (const auto& row : got) sum += std::get<1>(row);
  BOOST_TEST(sum == published);
  // Descriptions too: each row's is that of the alarm that created it.
  AlarmQuery q;
  q.limit = 1000;
  const auto d = direct.list(q).items, f = folded.list(q).items;
  BOOST_REQUIRE(d.size() == f.size());
  for (std::size_t i = 0; i < d.size(); ++i) BOOST_TEST(f[i].description == d[i].description, "row " << i);
}

BOOST_AUTO_TEST_SUITE_END()
