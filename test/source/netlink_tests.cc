// Privileged: registers as the audit daemon, joins the audit multicast group
// and loads rules. Each test restores the kernel's audit state on exit.
#define BOOST_TEST_MODULE netlink
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

#include "core/counters.h"
#include "rules/kernel_state_guard.h"
#include "source/audit_mode.h"
#include "source/multicast_source.h"
#include "source/netlink_source.h"
#include "support/counter_value.h"

using cshield::testing::counter_value;

using namespace cshield;
using testing::KernelStateGuard;
using Clock = std::chrono::steady_clock;

namespace {

const char* kTestKey = "cshield.test";

AuditRule mknodat_rule() {
  AuditRule rule;
  rule.arch = "b64";
  rule.syscalls = {"mknodat"};
  rule.key = kTestKey;
  return rule;
}

// A temporary directory, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char name[] = "/tmp/cshield-netlink-test-XXXXXX";
    BOOST_REQUIRE(mkdtemp(name));
    path = name;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Calls mknodat(2) directly (so it is that syscall whatever libc does) to
// make a FIFO, in a child process: the kernel never applies syscall rules to
// the registered audit daemon's own syscalls. Returns the child's pid.
pid_t trigger_mknodat(const std::filesystem::path& path) {
  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) _exit(syscall(SYS_mknodat, AT_FDCWD, path.c_str(), S_IFIFO | 0600, 0) == 0 ? 0 : 1);
  int status = 0;
  BOOST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return child;
}

// The test's SYSCALL record: mknodat by `pid`, with the test key.
bool is_test_record(const std::string& line, pid_t pid) {
  return line.rfind("type=SYSCALL msg=audit(", 0) == 0 && line.find(" syscall=259 ") != std::string::npos &&
         line.find(" pid=" + std::to_string(pid) + " ") != std::string::npos &&
         line.find("key=\"" + std::string(kTestKey) + "\"") != std::string::npos;
}

// Reads until the test record arrives or the deadline passes; every line
// handed out must be a whole "type=... msg=audit(...)" line.
std::string await_test_record(RecordSource& source, pid_t pid,
                              std::chrono::seconds timeout = std::chrono::seconds(10)) {
  const auto deadline = Clock::now() + timeout;
  std::string all;
  while (Clock::now() < deadline) {
    std::string out;
    if (!source.read(out)) break;
    all += out;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      BOOST_TEST(line.rfind("type=", 0) == 0u, line);
      BOOST_TEST(line.find(" msg=audit(") != std::string::npos, line);
      BOOST_TEST(line.find("type=REPLACE") == std::string::npos, line);
      if (is_test_record(line, pid)) return line;
    }
  }
  BOOST_TEST_MESSAGE("records read before the deadline:\n" << all);
  return "";
}

void require_ok(const Result& r) { BOOST_REQUIRE_MESSAGE(r.ok(), r.error()); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(netlink, KernelStateGuard)

BOOST_AUTO_TEST_CASE(netlink_source_registers_reads_a_rule_hit_and_unregisters) {
  TempDir dir;
  Counters counters;
  NetlinkSourceOptions options;
  options.counters = &counters;
  options.backlog_limit = before.backlog_limit + 100;  // proves start() sets it and the guard restores it
  NetlinkSource source(options);
  require_ok(control.set_enabled(1));
  require_ok(source.start());

  AuditStatus status;
  require_ok(control.status(status));
  BOOST_TEST(status.pid == static_cast<std::uint32_t>(getpid()));
  BOOST_TEST(status.backlog_limit == before.backlog_limit + 100);
  std::string error;
  BOOST_TEST(detect_audit_mode(control, error) == "multicast");

  require_ok(control.add_rule(mknodat_rule()));
  std::vector<AuditRule> rules;
  require_ok(control.list_rules(rules));
  BOOST_TEST(std::count(rules.begin(), rules.end(), mknodat_rule()) == 1);

  const pid_t pid = trigger_mknodat(dir.path / "fifo");
  const std::string line = await_test_record(source, pid);
  BOOST_TEST_MESSAGE("netlink: " << line);
  BOOST_TEST(!line.empty());
  BOOST_TEST(counter_value(counters, "source.records") >= 1u);
  BOOST_TEST(counter_value(counters, "source.bytes") >= line.size());

  std::size_t deleted = 0;
  require_ok(control.delete_rules_with_key_prefix(kRuleKeyPrefix, &deleted));
  BOOST_TEST(deleted == 1u);
  require_ok(control.list_rules(rules));
  BOOST_TEST(std::count(rules.begin(), rules.end(), mknodat_rule()) == 0);

  source.stop();
  require_ok(control.status(status));
  BOOST_TEST(status.pid == 0u);
  BOOST_TEST(detect_audit_mode(control, error) == "netlink");
  std::string out;
  BOOST_TEST(!source.read(out));
}

BOOST_AUTO_TEST_CASE(a_second_daemon_is_refused_with_the_registered_pid) {
  NetlinkSource first;
  require_ok(first.start());
  NetlinkSource second;
  const Result r = second.start();
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.error().find("pid " + std::to_string(getpid())) != std::string::npos, r.error());
  AuditStatus status;
  require_ok(control.status(status));
  BOOST_TEST(status.pid == static_cast<std::uint32_t>(getpid()));  // the first one stays registered
}

BOOST_AUTO_TEST_CASE(stop_from_another_thread_ends_a_blocked_read) {
  NetlinkSource source;
  require_ok(source.start());
  std::thread reader([&] {
    std::string out;
    while (source.read(out)) out.clear();
  });
  const auto started = Clock::now();
  source.stop();
  reader.join();
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() < 2000);
  AuditStatus status;
  require_ok(control.status(status));
  BOOST_TEST(status.pid == 0u);
}

// Finding: the kernel multicasts records to AUDIT_NLGRP_READLOG whether or
// not an audit daemon is registered (without one it also prints them to the
// kernel log).
BOOST_AUTO_TEST_CASE(multicast_source_reads_without_an_audit_daemon) {
  TempDir dir;
  MulticastSource source;
  require_ok(control.set_enabled(1));
  require_ok(source.start());
  require_ok(control.add_rule(mknodat_rule()));
  const pid_t pid = trigger_mknodat(dir.path / "fifo");
  const std::string line = await_test_record(source, pid);
  BOOST_TEST_MESSAGE("multicast, no daemon: " << line);
  BOOST_TEST(!line.empty());
}

BOOST_AUTO_TEST_CASE(multicast_source_reads_beside_the_audit_daemon) {
  TempDir dir;
  NetlinkSource daemon;
  MulticastSource beside;
  require_ok(control.set_enabled(1));
  require_ok(daemon.start());
  require_ok(beside.start());
  require_ok(control.add_rule(mknodat_rule()));
  const pid_t pid = trigger_mknodat(dir.path / "fifo");
  const std::string from_daemon = await_test_record(daemon, pid);
  const std::string from_multicast = await_test_record(beside, pid);
  BOOST_TEST(!from_daemon.empty());
  BOOST_TEST(from_multicast == from_daemon);  // the same record, byte for byte
}

// cshieldd's own records (here a backlog wake record, written as the
// daemon writes it) are skipped by both netlink sources before they are
// formatted, and counted; the test record written after it still arrives.
BOOST_AUTO_TEST_CASE(netlink_sources_skip_and_count_own_records) {
  TempDir dir;
  Counters daemon_counters, beside_counters;
  NetlinkSourceOptions daemon_options;
  daemon_options.counters = &daemon_counters;
  MulticastSourceOptions beside_options;
  beside_options.counters = &beside_counters;
  NetlinkSource daemon(daemon_options);
  MulticastSource beside(beside_options);
  BOOST_TEST(daemon.skips_own_records());
  BOOST_TEST(beside.skips_own_records());
  require_ok(control.set_enabled(1));
  require_ok(daemon.start());
  require_ok(beside.start());
  require_ok(control.add_rule(mknodat_rule()));
  require_ok(control.write_backlog_wake_record());
  const pid_t pid = trigger_mknodat(dir.path / "fifo");
  for (RecordSource* source : {static_cast<RecordSource*>(&daemon), static_cast<RecordSource*>(&beside)}) {
    std::string all;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    bool seen = false;
    while (!seen && Clock::now() < deadline) {
      std::string out;
      if (!source->read(out)) break;
      all += out;
      std::istringstream lines(out);
      std::string line;
      while (std::getline(lines, line)) seen = seen || is_test_record(line, pid);
    }
    BOOST_TEST(seen, source->mode());
    BOOST_TEST(all.find("cshield-backlog-wake") == std::string::npos, source->mode() << ": " << all);
  }
  // The wake record was sent before the test's record, so both have passed it.
  BOOST_TEST(counter_value(daemon_counters, "source.own_records") == 1u);
  BOOST_TEST(counter_value(beside_counters, "source.own_records") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
