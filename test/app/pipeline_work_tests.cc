#include "app/pipeline_work.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/record_queue_bound.h"
#include "core/bounded_queue.h"

using namespace cshield;
using namespace std::chrono_literals;

namespace {

// A clock the test moves: starts an hour after the epoch (0 means "none").
struct FakeClock {
  std::atomic<PipelineWork::Clock::rep> ticks{PipelineWork::Clock::duration(1h).count()};
  PipelineWork::Clock::time_point now() const {
    return PipelineWork::Clock::time_point(PipelineWork::Clock::duration(ticks.load()));
  }
  void advance(PipelineWork::Clock::duration d) { ticks += d.count(); }
};

struct Fixture {
  FakeClock clock;
  PipelineWork work{[this] { return clock.now(); }};
  std::vector<std::string> worked;
  std::unique_lock<std::mutex> turn{work.read_turn()};
  Fixture() {
    work.set([this](const std::string& chunk) { worked.push_back(chunk); });
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline_work_suite)

BOOST_FIXTURE_TEST_CASE(a_small_chunk_is_worked_inline_when_nothing_is_queued, Fixture) {
  BOOST_TEST(work.try_inline("type=SYSCALL msg=audit(1.0:1): x\n", turn));
  BOOST_TEST(worked.size() == 1u);
  BOOST_TEST(turn.owns_lock());  // the reader holds its turn again
  BOOST_TEST(work.inline_chunks() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_large_chunk_goes_to_the_queue, Fixture) {
  BOOST_TEST(!work.try_inline(std::string(PipelineWork::kInlineBytes + 1, 'x'), turn));
  BOOST_TEST(work.try_inline(std::string(PipelineWork::kInlineBytes, 'x'), turn));
  BOOST_TEST(worked.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(nothing_goes_inline_while_a_queued_chunk_waits, Fixture) {
  work.queued();  // the reader queued "a"; the pipeline thread has not worked it yet
  BOOST_TEST(!work.try_inline("b", turn));
  work.work_queued("a");
  BOOST_TEST(work.try_inline("b", turn));
  BOOST_TEST((worked == std::vector<std::string>{"a", "b"}));
}

BOOST_FIXTURE_TEST_CASE(nothing_goes_inline_without_work_or_after_finish, Fixture) {
  PipelineWork unset;
  std::unique_lock<std::mutex> other(unset.read_turn());
  BOOST_TEST(!unset.try_inline("a", other));
  bool flushed = false;
  work.finish([&] { flushed = true; });
  BOOST_TEST(flushed);
  BOOST_TEST(!work.try_inline("a", turn));
  BOOST_TEST(worked.empty());
}

BOOST_FIXTURE_TEST_CASE(a_busy_stream_goes_to_the_pipeline_thread_until_it_is_light_again, Fixture) {
  // Queued chunks that take 30 ms each: the work is busy over 20% of the window.
  work.set([this](const std::string& chunk) {
    worked.push_back(chunk);
    clock.advance(30ms);
  });
  BOOST_TEST(work.try_inline("first", turn));  // the first window: nothing measured yet
  for (int i = 0; i < 4; ++i) {
    work.queued();
    work.work_queued("queued");
  }
  BOOST_TEST(!work.try_inline("busy", turn));
  // Then light: one 30 ms chunk in a second.
  clock.advance(1s);
  work.queued();
  work.work_queued("after a pause");
  BOOST_TEST(work.try_inline("light", turn));
  BOOST_TEST(worked.back() == "light");
}

BOOST_FIXTURE_TEST_CASE(a_long_inline_chunk_is_overdue_and_leaves_the_turn_to_read, Fixture) {
  bool overdue_early = true, overdue_late = false, turn_free = false;
  work.set([&](const std::string&) {
    overdue_early = work.inline_overdue();
    clock.advance(PipelineWork::kRescueAfter + 1ms);
    overdue_late = work.inline_overdue();
    std::thread rescuer([&] {
      std::unique_lock<std::mutex> rescue(work.read_turn(), std::try_to_lock);
      turn_free = rescue.owns_lock();
    });
    rescuer.join();
  });
  BOOST_TEST(work.try_inline("slow", turn));
  BOOST_TEST(!overdue_early);
  BOOST_TEST(overdue_late);
  BOOST_TEST(turn_free);
  BOOST_TEST(!work.inline_overdue());  // done
}

BOOST_FIXTURE_TEST_CASE(the_pipeline_thread_watches_closely_only_while_chunks_go_inline, Fixture) {
  BOOST_TEST(work.wait().count() == PipelineWork::kIdleWait.count());
  BOOST_TEST(work.try_inline("a", turn));
  BOOST_TEST(work.wait().count() == PipelineWork::kWatchWait.count());
  clock.advance(PipelineWork::kWatchFor);
  BOOST_TEST(work.wait().count() == PipelineWork::kIdleWait.count());
}

BOOST_FIXTURE_TEST_CASE(timers_run_unless_a_chunk_is_worked_inline, Fixture) {
  bool ran = false, ran_during = true;
  BOOST_TEST(work.try_run([&] { ran = true; }));
  BOOST_TEST(ran);
  work.set([&](const std::string&) {
    std::thread timer([&] { ran_during = work.try_run([] {}); });
    timer.join();
  });
  BOOST_TEST(work.try_inline("a", turn));
  BOOST_TEST(!ran_during);
}

// A chunk worked inline for long (a slow lookup): the pipeline thread reads
// meanwhile, its chunks queue behind the inline one (nothing goes inline
// before they are worked), and it stops at the bound of a stalled pipeline.
BOOST_FIXTURE_TEST_CASE(the_pipeline_thread_reads_while_an_inline_chunk_is_overdue, Fixture) {
  BoundedQueue<std::string> queue(kStalledChunks + kDrainChunks);
  int next = 0;
  auto read = [&](std::string& chunk) {
    chunk = "rescued " + std::to_string(next++);
    return true;
  };
  std::size_t early = 1, steady = 0, rescued = 0;
  work.set([&](const std::string& chunk) {
    worked.push_back(chunk);
    if (chunk != "slow") return;
    std::thread pipeline([&] {
      early = work.rescue_reader(read, queue, [] { return false; });
      clock.advance(PipelineWork::kRescueAfter + 1ms);
      steady = work.rescue_reader(read, queue, [] { return false; });
      clock.advance(kStalledAfter);
      rescued = steady + work.rescue_reader(read, queue, [] { return false; });
    });
    pipeline.join();
  });
  static_assert(PipelineWork::kRescueAfter + 1ms < kStalledAfter);
  BOOST_TEST(work.try_inline("slow", turn));
  BOOST_TEST(early == 0u);           // not overdue yet
  BOOST_TEST(steady == kSteadyChunks);  // overdue: the bound of a pipeline that keeps pace
  BOOST_TEST(rescued == kStalledChunks);  // then of a stalled one
  BOOST_TEST(queue.size() == kStalledChunks);
  BOOST_TEST(!work.try_inline("next", turn));  // behind the rescued chunks
  while (auto chunk = queue.pop_for(0ms)) work.work_queued(*chunk);
  BOOST_TEST(work.try_inline("next", turn));
  BOOST_TEST_REQUIRE(worked.size() == kStalledChunks + 2);
  BOOST_TEST(worked.front() == "slow");
  BOOST_TEST(worked[1] == "rescued 0");
  BOOST_TEST(worked.back() == "next");
}

BOOST_FIXTURE_TEST_CASE(a_source_that_must_be_drained_is_read_past_the_stalled_bound, Fixture) {
  BoundedQueue<std::string> queue(kStalledChunks + kDrainChunks);
  std::size_t rescued = 0;
  work.set([&](const std::string&) {
    clock.advance(kStalledAfter + 1ms);
    std::thread pipeline([&] {
      rescued = work.rescue_reader([](std::string& chunk) { chunk = "x"; return true; }, queue,
                                   [] { return true; });
    });
    pipeline.join();
  });
  BOOST_TEST(work.try_inline("slow", turn));
  BOOST_TEST(rescued == kStalledChunks + kDrainChunks);  // the queue's whole capacity, nothing dropped
  BOOST_TEST(queue.dropped() == 0u);
}

// The reader and the pipeline thread as the daemon runs them, chunks of
// sizes on both sides of kInlineBytes: every chunk is worked once, in the
// order read, whichever thread works it.
BOOST_AUTO_TEST_CASE(chunks_are_worked_in_the_order_read_whoever_works_them) {
  PipelineWork work;
  BoundedQueue<std::string> queue(64);
  std::vector<int> order;  // written under the work lock only
  work.set([&](const std::string& chunk) { order.push_back(std::stoi(chunk)); });
  constexpr int kChunks = 20000;
  std::atomic<bool> reading{true};
  std::thread pipeline([&] {
    while (reading || queue.size() > 0)
      if (auto chunk = queue.pop_for(1ms)) work.work_queued(*chunk);
  });
  std::size_t inline_worked = 0;
  {
    std::unique_lock<std::mutex> turn(work.read_turn());
    for (int i = 0; i < kChunks; ++i) {
      std::string chunk = std::to_string(i);
      chunk.resize(i % 3 == 0 ? PipelineWork::kInlineBytes + 1 : 16, ' ');
      if (work.try_inline(chunk, turn)) {
        ++inline_worked;
        continue;
      }
      while (!queue.push_for(chunk, 10ms)) {
      }
      work.queued();
    }
  }
  reading = false;
  pipeline.join();
  BOOST_TEST_REQUIRE(order.size() == static_cast<std::size_t>(kChunks));
  for (int i = 0; i < kChunks; ++i) BOOST_TEST_REQUIRE(order[static_cast<std::size_t>(i)] == i);
  BOOST_TEST(inline_worked > 0u);  // both paths were taken
  BOOST_TEST(inline_worked < static_cast<std::size_t>(kChunks));
}

BOOST_AUTO_TEST_SUITE_END()
