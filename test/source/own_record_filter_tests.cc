#include <boost/test/unit_test.hpp>

#include "source/own_record_filter.h"

using namespace cshield;

BOOST_AUTO_TEST_SUITE(own_record_filter)

BOOST_AUTO_TEST_CASE(only_alarm_and_backlog_wake_records_are_dropped_in_every_spelling) {
  std::string chunk =
      "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=101 key=\"cshield.high_risk_syscall\"\n"
      "type=UNKNOWN[2199] msg=audit(1.001:2): pid=7 uid=0 msg='op=cshield-alarm alarm_type=\"x\"'\n"
      "node=h1 type=UNKNOWN[2199] msg=audit(1.002:3): pid=7 msg='op=cshield-alarm'\n"
      "type=2199 msg=audit(1.003:4): pid=7 msg='op=cshield-alarm'\n"
      "type=USER_AUTH msg=audit(1.004:5): pid=9 msg='op=PAM:authentication text=type=UNKNOWN[2199] res=failed'\n"
      "type=UNKNOWN[2198] msg=audit(1.005:6): pid=7 uid=0 msg='op=cshield-backlog-wake'\n"
      "type=EOE msg=audit(1.000:1): \n";
  BOOST_TEST(drop_own_records(chunk) == 4u);
  BOOST_TEST(chunk ==
             "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=101 key=\"cshield.high_risk_syscall\"\n"
             "type=USER_AUTH msg=audit(1.004:5): pid=9 msg='op=PAM:authentication text=type=UNKNOWN[2199] res=failed'\n"
             "type=EOE msg=audit(1.000:1): \n");
}

BOOST_AUTO_TEST_CASE(a_chunk_without_them_is_left_alone) {
  std::string chunk = "type=UNKNOWN[2197] msg=audit(1.0:1): x\ntype=SYSCALL msg=audit(1.0:2): y";
  const std::string before = chunk;
  BOOST_TEST(drop_own_records(chunk) == 0u);
  BOOST_TEST(chunk == before);
}

BOOST_AUTO_TEST_SUITE_END()
