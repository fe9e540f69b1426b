#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "app/watch_updater.h"
#include "support/counter_value.h"

using cshield::testing::counter_value;

using namespace cshield;

namespace {

// Watch changes that block until the test opens the gate, as the kernel
// holds a rule change while its backlog is full.
struct GatedWatches {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::vector<std::string> applied;

  void apply(const std::string& what) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open; });
    applied.push_back(what);
    cv.notify_all();
  }
  void open_gate() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  bool wait_for(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return applied.size() >= n; });
  }
};

ContainerInfo container(const std::string& id) {
  ContainerInfo c;
  c.id = id;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(watch_changes_never_wait_for_the_kernel_and_apply_in_order) {
  GatedWatches watches;
  Counters counters;
  {
    WatchUpdater updater([&](const ContainerInfo& c) { watches.apply("start " + c.id); },
                         [&](const std::string& id) { watches.apply("stop " + id); }, counters);
    // The first change is held "in the kernel"; the callers go on regardless.
    updater.started(container("a"));
    updater.started(container("b"));
    updater.stopped("a");
    watches.open_gate();
    BOOST_REQUIRE(watches.wait_for(3));
  }
  BOOST_TEST(watches.applied == (std::vector<std::string>{"start a", "start b", "stop a"}),
             boost::test_tools::per_element());
  BOOST_TEST(counter_value(counters, "watches.updates_dropped") == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_counts_and_what_was_queued_is_applied_at_the_end) {
  GatedWatches watches;
  Counters counters;
  {
    WatchUpdater updater([&](const ContainerInfo& c) { watches.apply("start " + c.id); },
                         [&](const std::string& id) { watches.apply("stop " + id); }, counters, 2);
    updater.started(container("held"));  // taken by the thread, held at the gate
    // Until the thread has taken it, the queue may hold it too: fill until a drop shows.
    for (int i = 0; counter_value(counters, "watches.updates_dropped") == 0 && i < 10; ++i)
      updater.stopped("s" + std::to_string(i));
    BOOST_TEST(counter_value(counters, "watches.updates_dropped") >= 1u);
    watches.open_gate();
  }  // the destructor applies what is queued
  BOOST_TEST(watches.applied.front() == "start held");
  BOOST_TEST(watches.applied.size() >= 2u);
}
