#define BOOST_TEST_MODULE alarm
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>

#include "alarm/host_stamp_sink.h"
#include "alarm/store_writer.h"

using namespace cshield;

namespace {

// An AlarmWriter that records batches and can be told to fail.
class FakeWriter : public AlarmWriter {
 public:
  std::atomic<int> failures_left{0};
  std::vector<std::int64_t> write(const std::vector<Alarm>& alarms) override {
    if (failures_left > 0) {
      --failures_left;
      throw std::runtime_error("disk says no");
    }
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& a : alarms) {
      written.push_back(a.subtype);
      total_count += a.count;
    }
    ++batches;
    return std::vector<std::int64_t>(alarms.size(), 1);
  }
  void upsert_container(const ContainerInfo&, std::int64_t) override {}
  std::int64_t apply_retention(std::int64_t) override {
    ++retention_runs;
    return 0;
  }
  std::mutex mu;
  std::vector<std::string> written;
  int batches = 0;
  std::int64_t total_count = 0;
  std::atomic<int> retention_runs{0};
};

Alarm alarm(int i) { return make_alarm("high_risk_syscall", std::to_string(i), "x"); }

std::uint64_t value(const Counters& c, const std::string& name) {
  for (const auto& s : c.snapshot())
    if (s.name == name) return s.value;
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(everything_published_is_written_in_order_by_stop) {
  FakeWriter w;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{1000, 64, std::chrono::minutes(10)});
  sw.start();
  for (int i = 0; i < 500; ++i) sw.publish(alarm(i));
  sw.stop();
  BOOST_REQUIRE_EQUAL(w.written.size(), 500u);
  for (int i = 0; i < 500; ++i) BOOST_TEST(w.written[static_cast<std::size_t>(i)] == std::to_string(i));
  BOOST_TEST(value(c, "store.alarms_written") == 500u);
  BOOST_TEST(w.retention_runs >= 1);  // once at start
}

BOOST_AUTO_TEST_CASE(a_failing_store_is_retried_and_loses_nothing) {
  FakeWriter w;
  w.failures_left = 2;
  Counters c;
  StoreWriter sw(w, c);
  sw.start();
  sw.publish(alarm(1));
  sw.publish(alarm(2));
  // stop() drains; the retries (100 ms, 200 ms back-off) happen before it returns.
  while (w.failures_left > 0) std::this_thread::yield();
  sw.stop();
  BOOST_TEST(w.written == (std::vector<std::string>{"1", "2"}), boost::test_tools::per_element());
  BOOST_TEST(value(c, "store.write_failures") == 2u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_counts_instead_of_blocking) {
  FakeWriter w;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{4, 64, std::chrono::minutes(10)});
  // Not started: nothing drains, so the fifth publish must drop.
  for (int i = 0; i < 6; ++i) sw.publish(alarm(i));
  BOOST_TEST(value(c, "queue.alarms.dropped") == 2u);
  BOOST_TEST(sw.depth() == 4u);
}

BOOST_AUTO_TEST_CASE(a_storm_of_repeats_folds_in_memory_and_keeps_every_count) {
  FakeWriter w;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{100000, 512, std::chrono::minutes(10)});
  for (int i = 0; i < 5000; ++i) {
    Alarm a = alarm(i % 2);  // two fold keys, alternating
    a.first_seen_ms = a.last_seen_ms = 1000 + i;
    a.process.pid = i;
    sw.publish(a);
  }
  sw.start();
  sw.stop();
  BOOST_TEST(w.total_count == 5000);            // nothing lost
  BOOST_TEST(w.written.size() <= 2u * 10u);     // at most two rows a batch of 512
  BOOST_TEST(value(c, "store.coalesced") == 5000u - w.written.size());
}

namespace {
struct RecordingSink : AlarmSink {
  std::vector<std::string> hosts;
  void publish(const Alarm& a) override { hosts.push_back(a.host); }
};
}  // namespace

BOOST_AUTO_TEST_CASE(the_node_is_named_on_every_alarm_that_does_not_name_one) {
  RecordingSink next;
  HostStampSink stamp("worker-7", next);
  Alarm a = make_alarm("high_risk_syscall", "ptrace", "ptrace");
  stamp.publish(a);
  a.host = "elsewhere";  // forwarded from another node: kept
  stamp.publish(a);
  BOOST_TEST(next.hosts == (std::vector<std::string>{"worker-7", "elsewhere"}), boost::test_tools::per_element());
}
