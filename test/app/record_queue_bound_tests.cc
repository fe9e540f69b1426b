#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>

#include "app/record_queue_bound.h"

using namespace cshield;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(record_queue_bound_suite)

BOOST_AUTO_TEST_CASE(below_the_steady_bound_the_source_is_not_asked) {
  int asked = 0;
  const auto must_drain = [&] { return ++asked, true; };
  BOOST_TEST(record_queue_bound(0, milliseconds(500), must_drain) == kSteadyChunks);
  BOOST_TEST(record_queue_bound(kSteadyChunks - 1, milliseconds(500), must_drain) == kSteadyChunks);
  BOOST_TEST(asked == 0);
}

BOOST_AUTO_TEST_CASE(a_pipeline_taking_chunks_keeps_the_steady_bound) {
  const auto no = [] { return false; };
  BOOST_TEST(record_queue_bound(kSteadyChunks, milliseconds(0), no) == kSteadyChunks);
  BOOST_TEST(record_queue_bound(kSteadyChunks, kStalledAfter, no) == kSteadyChunks);
  BOOST_TEST(record_queue_bound(kStalledChunks, milliseconds(5), no) == kSteadyChunks);
}

// What a new record waits behind in cshieldd while the pipeline keeps pace:
// two chunks (up to 1 024 records), not four.
BOOST_AUTO_TEST_CASE(a_pipeline_keeping_pace_has_at_most_two_chunks_queued) {
  const auto no = [] { return false; };
  BOOST_TEST(record_queue_bound(2, milliseconds(1), no) == 2u);
  BOOST_TEST(record_queue_bound(0, milliseconds(1), no) == 2u);
}

BOOST_AUTO_TEST_CASE(a_stalled_pipeline_lets_the_reader_queue_more) {
  const auto no = [] { return false; };
  BOOST_TEST(record_queue_bound(kSteadyChunks, kStalledAfter + milliseconds(1), no) == kStalledChunks);
  BOOST_TEST(record_queue_bound(kStalledChunks, milliseconds(400), no) == kStalledChunks);
}

BOOST_AUTO_TEST_CASE(a_source_that_must_be_read_empty_has_no_bound) {
  const auto yes = [] { return true; };
  BOOST_TEST(record_queue_bound(kSteadyChunks, milliseconds(0), yes) == SIZE_MAX);
  BOOST_TEST(record_queue_bound(kStalledChunks + 10, milliseconds(400), yes) == SIZE_MAX);
}

BOOST_AUTO_TEST_SUITE_END()
