#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

#include "audit/record_grouper.h"
#include "core/counters.h"
#include "support/counter_value.h"

using cshield::testing::counter_value;
using namespace cshield;

namespace {

std::string rec(const std::string& type, const std::string& stamp, const std::string& rest = "x=1") {
  return "type=" + type + " msg=audit(" + stamp + "): " + rest + "\n";
}
std::string eoe(const std::string& stamp) { return "type=EOE msg=audit(" + stamp + "): \n"; }

struct Grouped {
  Counters counters;
  std::vector<std::string> events;
  RecordGrouper grouper{[this](std::string_view e) { events.emplace_back(e); },
                        &counters.counter("audit.late_records", "")};
  void feed(const std::string& lines) {
    for (std::size_t pos = 0; pos < lines.size();) {
      const std::size_t end = lines.find('\n', pos) + 1;
      grouper.line(std::string_view(lines).substr(pos, end - pos));
      pos = end;
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(record_grouper)

// The reason for the grouper: an event left open (its task waiting for
// backlog room mid-event) must not hold back the events that end after it.
BOOST_FIXTURE_TEST_CASE(events_are_handed_out_as_they_end_not_behind_an_open_one, Grouped) {
  feed(rec("SYSCALL", "100.000:1"));
  feed(rec("SYSCALL", "100.001:2") + rec("PATH", "100.001:2") + eoe("100.001:2"));
  feed(rec("SYSCALL", "100.002:3") + eoe("100.002:3"));
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[0] == rec("SYSCALL", "100.001:2") + rec("PATH", "100.001:2") + eoe("100.001:2"));
  BOOST_TEST(events[1] == rec("SYSCALL", "100.002:3") + eoe("100.002:3"));
  BOOST_TEST(grouper.open_events() == 1u);
  feed(rec("PATH", "100.000:1") + eoe("100.000:1"));
  BOOST_REQUIRE_EQUAL(events.size(), 3u);
  BOOST_TEST(events[2] == rec("SYSCALL", "100.000:1") + rec("PATH", "100.000:1") + eoe("100.000:1"));
  BOOST_TEST(grouper.open_events() == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_event_without_a_syscall_record_ends_at_a_record_of_another, Grouped) {
  feed(rec("CONFIG_CHANGE", "100.000:1") + rec("CONFIG_CHANGE", "100.000:1", "y=2"));
  BOOST_TEST(events.empty());  // a second record of its own does not end it
  feed(rec("SYSCALL", "100.001:2"));
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0] ==
             rec("CONFIG_CHANGE", "100.000:1") + rec("CONFIG_CHANGE", "100.000:1", "y=2") + eoe("100.000:1"));
}

// As libauparse: PROCTITLE and one-record types (USER_*, LOGIN, 2100 and up) end
// their event as they are; a later record of that serial starts another
// event, and is not a late one.
BOOST_FIXTURE_TEST_CASE(records_that_auparse_takes_for_an_event_end_end_it_as_it_is, Grouped) {
  feed(rec("LOGIN", "100.000:7") + rec("SYSCALL", "100.000:7") + rec("PROCTITLE", "100.000:7") +
       rec("USER_ACCT", "100.001:8") + rec("ANOM_LOGIN_FAILURES", "100.002:9"));
  BOOST_REQUIRE_EQUAL(events.size(), 4u);
  BOOST_TEST(events[0] == rec("LOGIN", "100.000:7"));
  BOOST_TEST(events[1] == rec("SYSCALL", "100.000:7") + rec("PROCTITLE", "100.000:7"));
  BOOST_TEST(events[2] == rec("USER_ACCT", "100.001:8"));
  BOOST_TEST(events[3] == rec("ANOM_LOGIN_FAILURES", "100.002:9"));
  BOOST_TEST(counter_value(counters, "audit.late_records") == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_record_of_an_ended_event_is_handed_out_alone_and_counted, Grouped) {
  feed(rec("SYSCALL", "100.000:1") + eoe("100.000:1") + rec("PATH", "100.000:1") + eoe("100.000:1"));
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[1] == rec("PATH", "100.000:1") + eoe("100.000:1"));
  BOOST_TEST(counter_value(counters, "audit.late_records") == 1u);
}

BOOST_FIXTURE_TEST_CASE(an_open_event_ends_two_seconds_later_by_record_time_or_clock, Grouped) {
  feed(rec("SYSCALL", "100.000:1") + rec("SYSCALL", "101.500:2"));
  BOOST_TEST(events.empty());
  feed(rec("SYSCALL", "102.000:3"));  // 2 s after the first: it ends, the others stay open
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0] == rec("SYSCALL", "100.000:1") + eoe("100.000:1"));
  grouper.age_out(103);
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[1] == rec("SYSCALL", "101.500:2") + eoe("101.500:2"));
  grouper.flush();
  BOOST_REQUIRE_EQUAL(events.size(), 3u);
  BOOST_TEST(grouper.open_events() == 0u);
}

BOOST_FIXTURE_TEST_CASE(at_most_kmaxopen_events_are_held, Grouped) {
  for (std::size_t i = 0; i <= RecordGrouper::kMaxOpen; ++i) feed(rec("SYSCALL", "100.000:" + std::to_string(i)));
  BOOST_TEST(grouper.open_events() == RecordGrouper::kMaxOpen);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0] == rec("SYSCALL", "100.000:0") + eoe("100.000:0"));  // the oldest
}

BOOST_FIXTURE_TEST_CASE(a_line_without_a_stamp_is_handed_out_alone, Grouped) {
  feed(rec("SYSCALL", "100.000:1") + "type=SYSCALL msg=garbage\n");
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0] == "type=SYSCALL msg=garbage\n");
  BOOST_TEST(grouper.open_events() == 1u);
}

// A record of a type no one reads goes on without its fields, in its
// place; the others whole. Each type name is asked about once.
BOOST_FIXTURE_TEST_CASE(records_of_a_bare_type_are_cut_after_their_stamp_asking_once_per_type, Grouped) {
  std::map<int, int> asked;
  grouper.set_bare_types([&](int type) {
    ++asked[type];
    return type == 1321;  // BPRM_FCAPS
  });
  for (const std::string serial : {"1", "2"}) {
    const std::string stamp = "100.000:" + serial;
    feed(rec("SYSCALL", stamp, "arch=c000003e syscall=59") + rec("BPRM_FCAPS", stamp, "fver=0 fp=0 fi=0") +
         "node=h1 " + rec("BPRM_FCAPS", stamp, "fp=1") + rec("CWD", stamp, "cwd=\"/\"") + eoe(stamp));
    BOOST_REQUIRE_EQUAL(events.size(), serial == "1" ? 1u : 2u);
    BOOST_TEST(events.back() == rec("SYSCALL", stamp, "arch=c000003e syscall=59") +
                                    "type=BPRM_FCAPS msg=audit(" + stamp + "): \n" + "node=h1 type=BPRM_FCAPS msg=audit(" +
                                    stamp + "): \n" + rec("CWD", stamp, "cwd=\"/\"") + eoe(stamp));
  }
  BOOST_TEST(asked == (std::map<int, int>{{1300, 1}, {1307, 1}, {1321, 1}}));
}

BOOST_FIXTURE_TEST_CASE(fields_to_cut_leave_their_records_and_only_those_fields_asking_once_per_type, Grouped) {
  std::map<int, int> asked;
  grouper.set_cut_fields([&](int type) {
    ++asked[type];
    return type == 1300 ? std::vector<std::string>{"items", "gid", "tty", "ses", "key"}
                        : std::vector<std::string>{};
  });
  const std::string stamp = "100.000:7";
  // A cut field at the start, runs of them, one last, a name that only
  // starts like a cut one, a token without '=', a value holding '='.
  feed(rec("SYSCALL", stamp,
           "items=0 arch=c000003e gid=0 gidx=1 euid=0 tty=(none) ses=4 odd a0=x=y comm=\"a\" key=(null)") +
       rec("CWD", stamp, "cwd=\"/\" items=1") + eoe(stamp));
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0] == rec("SYSCALL", stamp, "arch=c000003e gidx=1 euid=0 odd a0=x=y comm=\"a\"") +
                              rec("CWD", stamp, "cwd=\"/\" items=1") + eoe(stamp));
  // auditd's enrichment (after 0x1d) is kept whole, a cut field just before
  // it is cut; a first token stuck to the stamp is kept.
  const std::string other = "100.000:8";
  feed(rec("SYSCALL", other, "tty=pts0 gid=0 pid=1 ses=4\x1d" "AUID=\"root\" gid=1") + eoe(other));
  const std::string third = "100.000:9";
  feed("type=SYSCALL msg=audit(" + third + "):items=2 gid=0 pid=2\n" + eoe(third));
  BOOST_REQUIRE_EQUAL(events.size(), 3u);
  BOOST_TEST(events[1] == rec("SYSCALL", other, "pid=1\x1d" "AUID=\"root\" gid=1") + eoe(other));
  BOOST_TEST(events[2] == "type=SYSCALL msg=audit(" + third + "):items=2 pid=2\n" + eoe(third));
  BOOST_TEST(asked == (std::map<int, int>{{1300, 1}, {1307, 1}}));
}

BOOST_AUTO_TEST_SUITE_END()
