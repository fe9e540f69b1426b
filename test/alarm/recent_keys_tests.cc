#include <boost/test/unit_test.hpp>

#include "alarm/recent_keys.h"

using namespace cshield;

namespace {
const RecentKeys::Clock::time_point t0 = RecentKeys::Clock::time_point() + std::chrono::hours(1);
RecentKeys::Clock::time_point at_ms(int ms) { return t0 + std::chrono::milliseconds(ms); }
}  // namespace

BOOST_AUTO_TEST_CASE(a_key_is_new_once_then_a_repeat_within_the_window) {
  RecentKeys keys(std::chrono::seconds(2));
  BOOST_TEST(keys.note(1, at_ms(0)));
  BOOST_TEST(!keys.note(1, at_ms(1)));
  BOOST_TEST(keys.note(2, at_ms(2)));
  BOOST_TEST(!keys.note(1, at_ms(1999)));
  BOOST_TEST(!keys.note(1, at_ms(2500)));  // in the older generation, seen 0.5 s ago
  BOOST_TEST(!keys.note(2, at_ms(3000)));  // seen 3 s ago: within twice the window
}

BOOST_AUTO_TEST_CASE(a_key_not_seen_for_twice_the_window_is_new_again) {
  RecentKeys keys(std::chrono::seconds(2));
  BOOST_TEST(keys.note(1, at_ms(0)));
  BOOST_TEST(keys.note(2, at_ms(2100)));  // rotates: key 1 in the older generation
  BOOST_TEST(keys.note(1, at_ms(4200)));  // rotates again: key 1's generation is forgotten
  BOOST_TEST(keys.note(3, at_ms(10000)));
  BOOST_TEST(keys.note(2, at_ms(10001)));  // last seen at 2.1 s
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded_by_two_generations_of_max_keys) {
  RecentKeys keys(std::chrono::hours(1), 4);
  for (std::size_t k = 0; k < 4; ++k) BOOST_TEST(keys.note(k, at_ms(0)));  // the newer generation, full
  BOOST_TEST(keys.note(4, at_ms(0)));   // rotates: 0..3 become the older generation
  BOOST_TEST(!keys.note(3, at_ms(0)));  // still seen
  BOOST_TEST(keys.note(5, at_ms(0)));
  BOOST_TEST(keys.note(6, at_ms(0)));   // the newer generation: 4, 3, 5, 6
  BOOST_TEST(keys.note(7, at_ms(0)));   // rotates again: 0..2 are forgotten
  BOOST_TEST(keys.note(0, at_ms(0)));
  BOOST_TEST(!keys.note(5, at_ms(0)));
}
