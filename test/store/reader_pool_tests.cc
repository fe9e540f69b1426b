// SqliteReaderPool: reads run in parallel on its read-only connections (a
// read held inside SQLite on one does not hold up another), wait for a free
// connection when all are busy, see what the writer committed, and write
// through its own read-write connection.
#define BOOST_TEST_MODULE reader_pool
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "store/sqlite_reader_pool.h"
#include "store/sqlite_store.h"
#include "support/store_options.h"
#include "support/temp_dir.h"

using namespace cshield;
using cshield::testing::no_limits;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kT0 = 1764175801000;
constexpr auto kDeadline = 20s;  // generous: the machine may be busy; a pass never waits for it

// A read that stops inside SQLite until released: every connection opened
// while a Gate exists gets a progress handler that, on a thread that armed
// the gate, waits there (once) until release(). Other threads run freely.
class Gate {
 public:
  Gate() {
    instance_ = this;
    sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(&Gate::install));
  }
  ~Gate() {
    release();
    sqlite3_cancel_auto_extension(reinterpret_cast<void (*)(void)>(&Gate::install));
    instance_ = nullptr;
  }
  // The calling thread's next SQLite statement stops inside SQLite.
  static void arm() { armed_ = true; }
  // Waits until `n` armed reads are held; false after the deadline.
  bool wait_held(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kDeadline, [&] { return held_ >= n; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    changed_.notify_all();
  }
  bool released() {
    std::lock_guard<std::mutex> lock(mu_);
    return released_;
  }

 private:
  static int install(sqlite3* db, char**, const void*) {
    sqlite3_progress_handler(db, 1, &Gate::on_progress, nullptr);
    return SQLITE_OK;
  }
  static int on_progress(void*) {
    if (!armed_ || !instance_) return 0;
    armed_ = false;
    Gate& g = *instance_;
    std::unique_lock<std::mutex> lock(g.mu_);
    ++g.held_;
    g.changed_.notify_all();
    g.changed_.wait(lock, [&] { return g.released_; });
    return 0;
  }

  static inline Gate* instance_ = nullptr;
  static inline thread_local bool armed_ = false;
  std::mutex mu_;
  std::condition_variable changed_;
  int held_ = 0;
  bool released_ = false;
};

Alarm alarm_at(std::int64_t t, int n) {
  Alarm a = make_alarm("high_risk_syscall", "ptrace", "ptrace");
  a.first_seen_ms = a.last_seen_ms = t;
  a.process.exe = "/bin/x" + std::to_string(n);
  return a;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_read_held_inside_sqlite_does_not_hold_up_another) {
  testing::TempDir tmp("cshield-pool");
  Gate gate;  // before the pool opens its connections
  SqliteStore writer(tmp / "alarms.db", no_limits());
  writer.write({alarm_at(kT0, 1), alarm_at(kT0 + 1, 2)});
  SqliteReaderPool pool(tmp / "alarms.db", no_limits(), 2);
  BOOST_TEST(pool.readers() == 2u);

  auto held = std::async(std::launch::async, [&] {
    Gate::arm();
    return pool.list({}).items.size();
  });
  BOOST_TEST_REQUIRE(gate.wait_held(1));
  // The other connection serves while the first read is held.
  auto other = std::async(std::launch::async, [&] {
    const auto page = pool.list({});
    const auto summary = pool.summary(std::nullopt, std::nullopt);
    return std::make_pair(page.items.size(), summary.total);
  });
  const bool other_done = other.wait_for(kDeadline) == std::future_status::ready;
  const bool first_still_held = held.wait_for(0s) != std::future_status::ready;
  gate.release();
  BOOST_TEST(other_done);
  BOOST_TEST(first_still_held);
  const auto [listed, total] = other.get();
  BOOST_TEST(listed == 2u);
  BOOST_TEST(total == 2);
  BOOST_TEST(held.get() == 2u);
}

BOOST_AUTO_TEST_CASE(reads_wait_for_a_free_connection_when_all_are_held) {
  testing::TempDir tmp("cshield-pool");
  Gate gate;
  SqliteReaderPool pool(tmp / "alarms.db", no_limits(), 1);
  pool.update_status(1, "handled", std::nullopt);  // no such alarm: nothing happens
  auto held = std::async(std::launch::async, [&] {
    Gate::arm();
    return pool.alarm_count();
  });
  BOOST_TEST_REQUIRE(gate.wait_held(1));
  // The only connection is held: this read can finish only after the release.
  auto waiting = std::async(std::launch::async, [&] {
    const auto n = pool.alarm_count();
    return std::make_pair(n, gate.released());
  });
  gate.release();
  BOOST_TEST(held.get() == 0);
  const auto [count, after_release] = waiting.get();
  BOOST_TEST(count == 0);
  BOOST_TEST(after_release);
}

BOOST_AUTO_TEST_CASE(pool_reads_what_the_writer_committed_and_writes_statuses) {
  testing::TempDir tmp("cshield-pool");
  SqliteReaderPool pool(tmp / "alarms.db", no_limits(), 3);  // creates the schema
  SqliteStore writer(tmp / "alarms.db", no_limits());
  std::atomic<bool> done{false};
  std::thread w([&] {
    for (int i = 0; i < 50; ++i) writer.write({alarm_at(kT0 + i, i)});
    done = true;
  });
  std::vector<std::thread> readers;
  std::atomic<int> non_monotonic{0};
  for (int r = 0; r < 4; ++r)
    readers.emplace_back([&] {
      std::int64_t last = 0;
      while (!done) {
        const auto n = pool.alarm_count();
        if (n < last) ++non_monotonic;
        last = n;
        pool.list({});
      }
    });
  w.join();
  for (auto& t : readers) t.join();
  BOOST_TEST(non_monotonic == 0);
  BOOST_TEST(pool.alarm_count() == 50);
  const auto id = pool.list({}).items.front().id;
  BOOST_TEST(pool.update_status(id, "ignored", std::string("seen"))->status == "ignored");
  BOOST_TEST(pool.get(id)->note == "seen");
  BOOST_TEST(writer.get(id)->status == "ignored");
}
