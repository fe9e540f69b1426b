#define BOOST_TEST_MODULE alarm
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "alarm/fan_out_sink.h"
#include "alarm/host_stamp_sink.h"
#include "alarm/kernel_loss_alarm.h"
#include "alarm/store_writer.h"
#include "support/counter_value.h"

using cshield::testing::counter_value;

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
    std::vector<std::int64_t> ids;
    for (const auto& a : alarms) {
      written.push_back(a.subtype);
      total_count += a.count;
      ids.push_back(++next_id);
    }
    ++batches;
    return ids;
  }
  void upsert_container(const ContainerInfo&, std::int64_t) override {}
  std::int64_t apply_retention(std::int64_t) override {
    ++retention_runs;
    return 0;
  }
  std::mutex mu;
  std::int64_t next_id = 0;
  std::vector<std::string> written;
  int batches = 0;
  std::int64_t total_count = 0;
  std::atomic<int> retention_runs{0};
};

// What the exporters would receive.
class RecordingSink : public AlarmSink {
 public:
  void publish(const Alarm& a) override {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(a);
  }
  std::vector<Alarm> copy() {
    std::lock_guard<std::mutex> lock(mu);
    return received;
  }
  std::mutex mu;
  std::vector<Alarm> received;
};

Alarm alarm(int i) { return make_alarm("high_risk_syscall", std::to_string(i), "x"); }

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
  BOOST_TEST(counter_value(c, "store.alarms_written") == 500u);
  BOOST_TEST(w.retention_runs >= 1);  // once at start
}

// A writer whose first write waits until the test opens the gate.
class GatedWriter : public FakeWriter {
 public:
  std::vector<std::int64_t> write(const std::vector<Alarm>& alarms) override {
    std::unique_lock<std::mutex> lock(gate_mu);
    gate_cv.wait(lock, [&] { return open; });
    lock.unlock();
    return FakeWriter::write(alarms);
  }
  void open_gate() {
    {
      std::lock_guard<std::mutex> lock(gate_mu);
      open = true;
    }
    gate_cv.notify_all();
  }
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool open = false;
};

BOOST_AUTO_TEST_CASE(gathering_never_holds_back_a_full_batch) {
  // Found in replay: a writer that gathered before every batch could write
  // at most max_batch alarms per gather, and its queue grew (100 MB).
  GatedWriter w;
  Counters c;
  StoreWriterOptions options{1000, 8, std::chrono::minutes(10)};
  options.gather = std::chrono::seconds(20);
  options.busy_within = std::chrono::hours(1);
  StoreWriter sw(w, c, options);
  sw.start();
  sw.publish(alarm(0));  // a lone alarm: taken at once, its write held at the gate
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sw.depth() != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  for (int i = 1; i <= 24; ++i) sw.publish(alarm(i));  // three full batches wait behind it
  w.open_gate();
  auto written = [&] {
    std::lock_guard<std::mutex> lock(w.mu);
    return w.written.size();
  };
  while (written() < 25 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  BOOST_TEST(written() == 25u);  // all before any 20 s gather could end
  sw.stop();
}

namespace {

// A FakeWriter that notes when each batch was written.
class TimedWriter : public FakeWriter {
 public:
  std::vector<std::int64_t> write(const std::vector<Alarm>& alarms) override {
    auto ids = FakeWriter::write(alarms);
    std::lock_guard<std::mutex> lock(mu);
    times.push_back(std::chrono::steady_clock::now());
    return ids;
  }
  // Waits (with a deadline) until `n` batches were written; their times.
  std::vector<std::chrono::steady_clock::time_point> wait_batches(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (times.size() >= n) return times;
      }
      std::this_thread::yield();
    }
    std::lock_guard<std::mutex> lock(mu);
    return times;
  }
  std::vector<std::chrono::steady_clock::time_point> times;
};

StoreWriterOptions gathering(std::chrono::milliseconds gather) {
  StoreWriterOptions options{1000, 512, std::chrono::minutes(10)};
  options.gather = gather;
  options.busy_within = std::chrono::hours(1);  // every batch after the first gathers
  return options;
}

}  // namespace

// During a storm the writer gathers its repeats; another container's new
// alarm must not wait for that gather (the alarm-storm probe).
BOOST_AUTO_TEST_CASE(a_new_alarm_is_written_without_waiting_for_the_gather) {
  TimedWriter w;
  Counters c;
  StoreWriter sw(w, c, gathering(std::chrono::seconds(20)));
  sw.start();
  sw.publish(alarm(0));  // the storm's first alarm: new, written at once
  BOOST_REQUIRE_EQUAL(w.wait_batches(1).size(), 1u);
  sw.publish(alarm(0));  // a repeat: the writer gathers for 20 s
  sw.publish(alarm(1));  // new: ends the gather
  const auto times = w.wait_batches(2);
  BOOST_REQUIRE_EQUAL(times.size(), 2u);  // long before the 20 s gather could end
  {
    std::lock_guard<std::mutex> lock(w.mu);
    BOOST_TEST(w.written == (std::vector<std::string>{"0", "0", "1"}), boost::test_tools::per_element());
  }
  sw.stop();
}

BOOST_AUTO_TEST_CASE(a_repeat_still_waits_for_the_gather) {
  TimedWriter w;
  Counters c;
  const auto gather = std::chrono::milliseconds(300);
  StoreWriter sw(w, c, gathering(gather));
  sw.start();
  sw.publish(alarm(0));
  BOOST_REQUIRE_EQUAL(w.wait_batches(1).size(), 1u);
  const auto published = std::chrono::steady_clock::now();
  sw.publish(alarm(0));
  const auto times = w.wait_batches(2);
  BOOST_REQUIRE_EQUAL(times.size(), 2u);
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(times[1] - published).count() >= gather.count());
  sw.stop();
}

// A storm's repeats wait in memory while the writer gathers them: at most
// gather_max_queued of them, then the gather ends.
BOOST_AUTO_TEST_CASE(a_gather_ends_once_gather_max_queued_alarms_wait) {
  TimedWriter w;
  Counters c;
  StoreWriterOptions options = gathering(std::chrono::seconds(20));
  options.gather_max_queued = 64;
  StoreWriter sw(w, c, options);
  sw.start();
  sw.publish(alarm(0));
  BOOST_REQUIRE_EQUAL(w.wait_batches(1).size(), 1u);
  sw.publish(alarm(0));  // a repeat: the writer gathers for 20 s
  for (int i = 0; i < 64; ++i) sw.publish(alarm(0));
  BOOST_REQUIRE_EQUAL(w.wait_batches(2).size(), 2u);  // long before the 20 s gather could end
  {
    std::lock_guard<std::mutex> lock(w.mu);
    BOOST_TEST(w.written.size() == 2u);  // the 65 repeats folded into one write
  }
  sw.stop();
}

// A flood of distinct alarms would otherwise cost a transaction per alarm.
BOOST_AUTO_TEST_CASE(new_alarms_end_a_gather_early_at_most_once_per_new_every) {
  TimedWriter w;
  Counters c;
  const auto gather = std::chrono::milliseconds(300);
  StoreWriterOptions options = gathering(std::chrono::seconds(20));
  options.new_every = gather;
  StoreWriter sw(w, c, options);
  sw.start();
  sw.publish(alarm(0));
  BOOST_REQUIRE_EQUAL(w.wait_batches(1).size(), 1u);
  sw.publish(alarm(1));  // new: its gather ends at once
  BOOST_REQUIRE_EQUAL(w.wait_batches(2).size(), 2u);
  sw.publish(alarm(2));  // new too, but a gather ended early just now
  const auto times = w.wait_batches(3);
  BOOST_REQUIRE_EQUAL(times.size(), 3u);
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(times[2] - times[1]).count() >=
             gather.count() * 9 / 10);  // and long before the 20 s gather could end
  sw.stop();
}

// The new alarm behind a storm's repeats is in the next transaction, however
// many repeats were queued before it: a batch takes everything queued, folding
// as it goes, up to max_batch alarms after folding.
BOOST_AUTO_TEST_CASE(a_batch_takes_everything_queued_folding_as_it_goes) {
  FakeWriter w;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{100000, 8, std::chrono::minutes(10)});
  for (int i = 0; i < 5000; ++i) sw.publish(alarm(i % 2));
  sw.publish(alarm(2));
  sw.start();
  sw.stop();
  BOOST_TEST(w.batches == 1);
  BOOST_TEST(w.written == (std::vector<std::string>{"0", "1", "2"}), boost::test_tools::per_element());
  BOOST_TEST(w.total_count == 5001);
}

BOOST_AUTO_TEST_CASE(stored_alarms_go_downstream_once_with_the_store_id) {
  FakeWriter w;
  Counters c;
  RecordingSink exports;
  StoreWriter sw(w, c, StoreWriterOptions{1000, 8, std::chrono::minutes(10)});
  sw.set_downstream(&exports);
  sw.start();
  for (int i = 0; i < 20; ++i) sw.publish(alarm(i));
  sw.stop();
  const auto got = exports.copy();
  BOOST_REQUIRE_EQUAL(got.size(), 20u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST(got[i].subtype == std::to_string(i));
    BOOST_TEST(got[i].id == static_cast<std::int64_t>(i + 1));  // the id the store returned for it
  }
}

BOOST_AUTO_TEST_CASE(while_the_store_refuses_alarms_go_downstream_at_once_without_an_id_and_never_twice) {
  FakeWriter w;
  w.failures_left = 1000000;
  Counters c;
  RecordingSink exports;
  StoreWriter sw(w, c, StoreWriterOptions{1000, 16, std::chrono::minutes(10)});
  sw.set_downstream(&exports);
  sw.start();
  for (int i = 0; i < 10; ++i) sw.publish(alarm(i));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (exports.copy().size() < 10 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  auto got = exports.copy();
  BOOST_REQUIRE_EQUAL(got.size(), 10u);  // exported although nothing is stored yet
  BOOST_TEST(w.written.empty());
  for (const auto& a : got) BOOST_TEST(a.id == 0);
  w.failures_left = 0;  // the store takes writes again
  while (!sw.degraded_reason().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  sw.stop();
  BOOST_TEST(w.written.size() == 10u);
  BOOST_TEST(exports.copy().size() == 10u);  // not sent again once stored
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
  BOOST_TEST(counter_value(c, "store.write_failures") == 2u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_counts_instead_of_blocking) {
  FakeWriter w;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{4, 64, std::chrono::minutes(10)});
  // Not started: nothing drains, so the fifth publish must drop.
  for (int i = 0; i < 6; ++i) sw.publish(alarm(i));
  BOOST_TEST(counter_value(c, "queue.alarms.dropped") == 2u);
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
  BOOST_TEST(counter_value(c, "store.coalesced") == 5000u - w.written.size());
}

// Disk full or read-only: the writer says so (with the reason), holds what
// it accepted, and writes all of it once the store takes writes again.
BOOST_AUTO_TEST_CASE(a_refusing_store_is_reported_as_degraded_and_the_held_alarms_are_written_when_it_recovers) {
  FakeWriter w;
  w.failures_left = 1000000;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{1000, 16, std::chrono::minutes(10)});
  BOOST_TEST(sw.degraded_reason().empty());
  sw.start();
  for (int i = 0; i < 200; ++i) sw.publish(alarm(i));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (sw.degraded_reason().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  const std::string reason = sw.degraded_reason();
  BOOST_TEST(reason.find("disk says no") != std::string::npos, reason);
  BOOST_TEST(reason.find("200 alarms held") != std::string::npos, reason);
  BOOST_TEST(counter_value(c, "store.degraded") == 1u);
  BOOST_TEST(counter_value(c, "store.held") == 200u);

  w.failures_left = 0;  // space returns
  while (!sw.degraded_reason().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  BOOST_TEST(sw.degraded_reason().empty());
  sw.stop();
  BOOST_TEST(w.written.size() == 200u);
  BOOST_TEST(counter_value(c, "store.degraded") == 0u);
  BOOST_TEST(counter_value(c, "queue.alarms.dropped") == 0u);
  BOOST_TEST(counter_value(c, "store.lost_at_stop") == 0u);
}

// The spill is bounded: beyond queue + batch, alarms are dropped and counted;
// a store still refusing at stop loses the held batch, counted too. Every
// accepted alarm is either written or counted.
BOOST_AUTO_TEST_CASE(beyond_the_spill_bound_alarms_are_counted_not_silently_lost) {
  FakeWriter w;
  w.failures_left = 1000000;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{50, 10, std::chrono::minutes(10)});
  sw.start();
  sw.publish(alarm(-1));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (sw.degraded_reason().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  for (int i = 0; i < 500; ++i) sw.publish(alarm(i));  // all distinct: nothing folds
  BOOST_TEST(sw.held() <= sw.capacity());
  sw.stop();
  BOOST_TEST(w.written.empty());
  BOOST_TEST(counter_value(c, "queue.alarms.dropped") + counter_value(c, "store.lost_at_stop") == 501u);
}

// A storm of repeats during an outage folds into the held batch at the next
// retry instead of filling the spill.
BOOST_AUTO_TEST_CASE(repeats_fold_into_the_held_batch_while_the_store_refuses) {
  FakeWriter w;
  w.failures_left = 1000000;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{100, 100, std::chrono::minutes(10)});
  sw.start();
  sw.publish(alarm(7));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sw.degraded_reason().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  for (int i = 0; i < 90; ++i) {
    Alarm a = alarm(7);
    a.first_seen_ms = a.last_seen_ms = 1000 + i;
    sw.publish(a);
  }
  while (sw.depth() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  BOOST_TEST(sw.held() == 1u);  // 91 accepted, one fold key
  w.failures_left = 0;
  while (!sw.degraded_reason().empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  sw.stop();
  BOOST_TEST(w.total_count == 91);
  BOOST_TEST(w.written.size() == 1u);
  BOOST_TEST(counter_value(c, "queue.alarms.dropped") == 0u);
}

namespace {
struct CollectingSink : AlarmSink {
  std::vector<Alarm> alarms;
  void publish(const Alarm& a) override { alarms.push_back(a); }
};
}  // namespace

// The kernel's lost counter: the first reading is the baseline, each later
// increase is counted and raised as audit_tampering/events_lost.
BOOST_AUTO_TEST_CASE(an_increase_of_the_kernels_lost_counter_is_counted_and_raised) {
  CollectingSink sink;
  Counters c;
  KernelLossAlarm watch(sink, c);
  BOOST_TEST(watch.observe(40, 64, 0, 1000) == 0u);  // lost before cshieldd started: not ours to raise
  BOOST_TEST(watch.observe(40, 64, 0, 2000) == 0u);
  BOOST_TEST(sink.alarms.empty());
  BOOST_TEST(watch.observe(1540, 64, 0, 3000) == 1500u);
  BOOST_REQUIRE_EQUAL(sink.alarms.size(), 1u);
  const Alarm& a = sink.alarms[0];
  BOOST_TEST(a.type == "audit_tampering");
  BOOST_TEST(a.subtype == "events_lost");
  BOOST_TEST(a.severity == "high");
  BOOST_TEST(!a.container);  // host-level
  BOOST_TEST(a.last_seen_ms == 3000);
  BOOST_TEST(a.evidence_json == R"({"lost":1500,"lost_total":1540,"backlog_limit":64,"backlog_wait_time":0})");
  BOOST_TEST(counter_value(c, "kernel.lost_while_running") == 1500u);
  BOOST_TEST(watch.observe(1540, 64, 0, 4000) == 0u);
  BOOST_TEST(watch.observe(3, 64, 0, 5000) == 0u);  // went backwards: a new baseline, nothing raised
  BOOST_TEST(watch.observe(5, 64, 0, 6000) == 2u);
  BOOST_TEST(sink.alarms.size() == 2u);
  BOOST_TEST(counter_value(c, "alarms.events_lost") == 2u);
}

BOOST_AUTO_TEST_CASE(the_node_is_named_on_every_alarm_that_does_not_name_one) {
  RecordingSink next;
  HostStampSink stamp("worker-7", next);
  Alarm a = make_alarm("high_risk_syscall", "ptrace", "ptrace");
  stamp.publish(a);
  a.host = "elsewhere";  // forwarded from another node: kept
  stamp.publish(a);
  const auto got = next.copy();
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0].host == "worker-7");
  BOOST_TEST(got[1].host == "elsewhere");
}

// An alarm handed over (publish_owned) is stamped the same way, and reaches
// every sink of a fan-out, in order, the last one taking it.
BOOST_AUTO_TEST_CASE(alarms_handed_over_are_stamped_and_fanned_out_alike) {
  class OwningSink : public RecordingSink {
   public:
    void publish_owned(Alarm&& a) override {
      ++owned;
      RecordingSink::publish(a);
    }
    int owned = 0;
  };
  RecordingSink first;
  OwningSink last;
  FanOutSink fan;
  fan.add(first);
  fan.add(last);
  HostStampSink stamp("worker-7", fan);
  Alarm a = make_alarm("high_risk_syscall", "ptrace", "ptrace");
  a.evidence_json = "{\"n\":1}";
  stamp.publish_owned(Alarm(a));
  a.host = "elsewhere";
  stamp.publish_owned(Alarm(a));
  HostStampSink unnamed("", fan);
  a.host.clear();
  unnamed.publish_owned(Alarm(a));
  for (const auto& got : {first.copy(), last.copy()}) {
    BOOST_REQUIRE_EQUAL(got.size(), 3u);
    BOOST_TEST(got[0].host == "worker-7");
    BOOST_TEST(got[1].host == "elsewhere");
    BOOST_TEST(got[2].host.empty());
    for (const auto& g : got) BOOST_TEST(g.evidence_json == "{\"n\":1}");
  }
  BOOST_TEST(last.owned == 3);
}

// The API's long-poll waits on the commit signal: it moves after a batch the
// store took, after the write (a reader woken by it finds the rows), and not
// while the store refuses.
BOOST_AUTO_TEST_CASE(the_commit_signal_moves_after_each_stored_batch_only) {
  class CheckingWriter : public FakeWriter {
   public:
    explicit CheckingWriter(ChangeSignal& s) : signal(s) {}
    std::vector<std::int64_t> write(const std::vector<Alarm>& alarms) override {
      generation_at_write = signal.generation();
      return FakeWriter::write(alarms);
    }
    ChangeSignal& signal;
    std::atomic<std::uint64_t> generation_at_write{~0ULL};
  };
  ChangeSignal signal;
  CheckingWriter w(signal);
  w.failures_left = 1;
  Counters c;
  StoreWriter sw(w, c, StoreWriterOptions{1000, 8, std::chrono::minutes(10)});
  sw.set_commit_signal(&signal);
  sw.start();
  sw.publish(alarm(1));
  // The first attempt fails (no signal), the retry stores it (one signal).
  const auto moved = signal.wait_past(0, std::chrono::steady_clock::now() + std::chrono::seconds(10), nullptr);
  BOOST_REQUIRE(moved);
  BOOST_TEST(*moved == 1u);
  BOOST_TEST(w.generation_at_write == 0u);  // signalled only after the write returned
  BOOST_TEST(counter_value(c, "store.write_failures") == 1u);
  sw.stop();
  BOOST_TEST(signal.generation() == 1u);
}
