#include <boost/test/unit_test.hpp>

#include "rules/backlog_waker.h"

using namespace cshield;

namespace {

AuditStatus status(std::uint32_t backlog, std::uint32_t wait_actual, std::uint32_t limit = 8192) {
  AuditStatus s;
  s.enabled = 1;
  s.backlog_limit = limit;
  s.backlog = backlog;
  s.backlog_wait_time = 60000;
  s.backlog_wait_time_actual = wait_actual;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(backlog_waker)

BOOST_AUTO_TEST_CASE(without_waits_or_a_full_backlog_nothing_is_written) {
  BacklogWaker waker;
  BOOST_TEST(!waker.should_wake(status(0, 500)));  // earlier waits, before we looked
  for (int i = 0; i < 10; ++i) BOOST_TEST(!waker.should_wake(status(8000, 500)));
}

BOOST_AUTO_TEST_CASE(after_tasks_waited_a_record_is_written_on_the_next_polls_with_room) {
  BacklogWaker waker;
  BOOST_TEST(!waker.should_wake(status(0, 0)));
  BOOST_TEST(waker.should_wake(status(0, 40)));  // tasks waited since the last poll
  BOOST_TEST(waker.should_wake(status(0, 40)));
  BOOST_TEST(waker.should_wake(status(0, 40)));
  BOOST_TEST(!waker.should_wake(status(0, 40)));  // kWakePolls in all
  BOOST_TEST(BacklogWaker::kWakePolls == 3);
}

BOOST_AUTO_TEST_CASE(a_full_backlog_counts_as_pressure_but_is_never_written_to) {
  BacklogWaker waker;
  BOOST_TEST(!waker.should_wake(status(0, 0)));
  BOOST_TEST(!waker.should_wake(status(8192, 0)));  // full: the writer would have to wait
  BOOST_TEST(!waker.should_wake(status(9000, 0)));
  BOOST_TEST(waker.should_wake(status(10, 0)));  // room again: a task may have missed its wake-up
  BOOST_TEST(waker.should_wake(status(0, 0)));
  BOOST_TEST(waker.should_wake(status(0, 0)));
  BOOST_TEST(!waker.should_wake(status(0, 0)));
}

BOOST_AUTO_TEST_CASE(new_waits_start_the_count_again) {
  BacklogWaker waker;
  BOOST_TEST(!waker.should_wake(status(0, 0)));
  BOOST_TEST(waker.should_wake(status(0, 10)));
  BOOST_TEST(waker.should_wake(status(0, 20)));
  BOOST_TEST(waker.should_wake(status(0, 20)));
  BOOST_TEST(waker.should_wake(status(0, 20)));
  BOOST_TEST(!waker.should_wake(status(0, 20)));
  BOOST_TEST(waker.should_wake(status(0, 0)));  // reset by auditctl: a change all the same
}

BOOST_AUTO_TEST_CASE(without_a_backlog_limit_nobody_waits_and_nothing_is_written) {
  BacklogWaker waker;
  BOOST_TEST(!waker.should_wake(status(0, 0, 0)));
  BOOST_TEST(!waker.should_wake(status(0, 50, 0)));
  BOOST_TEST(!waker.should_wake(status(100000, 60, 0)));
}

BOOST_AUTO_TEST_SUITE_END()
