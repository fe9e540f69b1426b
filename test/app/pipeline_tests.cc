#include <boost/test/unit_test.hpp>

#include "app/pipeline.h"
#include "support/audit_text.h"

using namespace cshield;
using cshield::testing::one_event;

namespace {

struct CollectingSink : AlarmSink {
  std::vector<Alarm> alarms;
  void publish(const Alarm& a) override { alarms.push_back(a); }
};


const char* kPtrace =
    "type=SYSCALL msg=audit(1764175801.100:77): arch=c000003e syscall=101 success=no exit=-1 a0=10 a1=1 a2=0 "
    "a3=0 items=0 ppid=4200 pid=4242 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
    "tty=(none) ses=4294967295 comm=\"helper\" exe=\"/helper\" key=\"cshield.high_risk_syscall\"\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline)

BOOST_AUTO_TEST_CASE(alarms_carry_container_process_time_and_serial) {
  Counters counters;
  CollectingSink sink;
  int resolved = 0;
  Pipeline p(build_detectors(Config{}),
             [&](ProcessInfo& proc) -> std::optional<ContainerInfo> {
               ++resolved;
               proc.cmdline = "/helper ptrace";
               ContainerInfo c;
               c.id = std::string(64, 'b');
               c.name = "web-1";
               return c;
             },
             sink, counters);
  p.on_event(one_event(kPtrace));
  BOOST_TEST(resolved == 1);
  BOOST_REQUIRE_EQUAL(sink.alarms.size(), 1u);
  const auto& a = sink.alarms[0];
  BOOST_TEST(a.container->name == "web-1");
  BOOST_TEST(a.process.pid == 4242);
  BOOST_TEST(a.process.ppid == 4200);
  BOOST_TEST(a.process.exe == "/helper");
  BOOST_TEST(a.process.cmdline == "/helper ptrace");
  BOOST_TEST(a.audit_serial == 77u);
  BOOST_TEST(a.first_seen_ms == 1764175801100);
  BOOST_TEST(a.last_seen_ms == 1764175801100);
}

BOOST_AUTO_TEST_CASE(events_no_detector_wants_are_not_enriched) {
  Counters counters;
  CollectingSink sink;
  int resolved = 0;
  Pipeline p(build_detectors(Config{}), [&](ProcessInfo&) -> std::optional<ContainerInfo> { ++resolved; return std::nullopt; },
             sink, counters);
  std::string other = kPtrace;
  other.replace(other.find("cshield.high_risk_syscall"), 25, "someone-elses-key-here-xx");
  other.replace(other.find("syscall=101"), 11, "syscall=0");  // read: no detector's business
  p.on_event(one_event(other));
  BOOST_TEST(resolved == 0);
  BOOST_TEST(sink.alarms.empty());
}

BOOST_AUTO_TEST_CASE(a_throwing_resolver_is_counted_not_fatal) {
  Counters counters;
  CollectingSink sink;
  Pipeline p(build_detectors(Config{}), [&](ProcessInfo&) -> std::optional<ContainerInfo> { throw std::runtime_error("x"); },
             sink, counters);
  p.on_event(one_event(kPtrace));
  std::uint64_t errors = 0;
  for (const auto& s : counters.snapshot())
    if (s.name == "pipeline.errors") errors = s.value;
  BOOST_TEST(errors == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
