#define BOOST_TEST_MODULE audit
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include <auparse.h>

#include "audit/event_assembler.h"
#include "core/counters.h"
#include "core/time_format.h"
#include "support/counter_value.h"
#include "support/shared_logs.h"

using cshield::testing::counter_value;

using namespace cshield;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path data(const std::string& name) { return fs::path(CSHIELD_SOURCE_DIR) / "test/data/audit" / name; }
fs::path shared_logs() { return fs::path(CSHIELD_SHARED_DIR) / "data/audit-logs"; }

// Feeds `text` in chunks of `chunk` bytes (records split anywhere), flushes,
// returns the events.
std::vector<AuditEvent> assemble(const std::string& text, std::size_t chunk = 4096, Counters* c = nullptr) {
  std::vector<AuditEvent> out;
  EventAssembler a([&](AuditEvent&& e) { out.push_back(std::move(e)); }, c);
  for (std::size_t i = 0; i < text.size(); i += chunk) a.feed(std::string_view(text).substr(i, chunk));
  a.flush();
  return out;
}

const AuditEvent& by_serial(const std::vector<AuditEvent>& evs, std::uint64_t serial) {
  for (const auto& e : evs)
    if (e.serial == serial) return e;
  BOOST_FAIL("no event with serial " << serial);
  return evs.front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(interleaved_serials_assemble_into_their_own_events) {
  for (std::size_t chunk : {7u, 64u, 100000u}) {
    auto evs = assemble(slurp(data("interleaved.log")), chunk);
    BOOST_REQUIRE_EQUAL(evs.size(), 2u);
    const auto& ptrace = by_serial(evs, 500);
    BOOST_TEST(ptrace.time_ms == 1764175801100);
    BOOST_TEST(ptrace.key() == "cshield.high_risk_syscall");
    BOOST_TEST(ptrace.syscall()->text("syscall").value() == "ptrace");
    BOOST_TEST(ptrace.syscall()->text("arch").value() == "x86_64");
    BOOST_TEST(*ptrace.syscall()->number("exit") == -1);
    BOOST_TEST(ptrace.first(rec::kProctitle)->text("proctitle").value() == "/helper ptrace");  // auparse joins argv with spaces
    const auto& open = by_serial(evs, 501);
    BOOST_TEST(open.records.size() == 4u);  // SYSCALL CWD PATH PROCTITLE (EOE is not a record of the event)
    BOOST_TEST(open.first(rec::kPath)->text("name").value() == "/hostetc/shadow");
    BOOST_TEST(open.key() == "cshield.file_escape:/etc/shadow");
  }
}

BOOST_AUTO_TEST_CASE(hex_encoded_fields_are_decoded_ids_stay_numeric) {
  auto evs = assemble(slurp(data("hex_fields.log")));
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  const auto& sys = *evs[0].syscall();
  BOOST_TEST(sys.text("exe").value() == "/tmp/my program");
  BOOST_TEST(sys.raw("exe").value() == "2F746D702F6D792070726F6772616D");
  BOOST_TEST(sys.text("comm").value() == "my comm");
  BOOST_TEST(sys.text("uid").value() == "1000");  // not a user name
  BOOST_TEST(evs[0].first(rec::kCwd)->text("cwd").value() == "/home/with space");
  BOOST_TEST(evs[0].first(rec::kExecve)->text("a0").value() == "/tmp/my program");
  BOOST_TEST(evs[0].first(rec::kExecve)->text("a1").value() == "plain");
  BOOST_TEST(evs[0].key().empty());
}

BOOST_AUTO_TEST_CASE(execve_with_many_arguments) {
  auto evs = assemble(slurp(data("execve_many_args.log")), 333);
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  const auto* ex = evs[0].first(rec::kExecve);
  BOOST_REQUIRE(ex);
  BOOST_TEST(ex->text("argc").value() == "300");
  BOOST_TEST(ex->text("a0").value() == "arg0");
  BOOST_TEST(ex->text("a299").value() == "arg299");
}

BOOST_AUTO_TEST_CASE(incomplete_event_is_delivered_on_flush_and_not_before) {
  std::vector<AuditEvent> out;
  EventAssembler a([&](AuditEvent&& e) { out.push_back(std::move(e)); }, nullptr);
  a.feed(
      "type=SYSCALL msg=audit(1764175801.100:900): arch=c000003e syscall=101 success=yes exit=0 a0=0 a1=0 a2=0 "
      "a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
      "comm=\"x\" exe=\"/x\" key=\"k\"\n");
  BOOST_TEST(out.empty());
  a.flush();
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(out[0].serial == 900u);
}

BOOST_AUTO_TEST_CASE(incomplete_event_of_the_past_is_aged_out) {
  // Its timestamp is long past the EOE timeout, so age_out() delivers it.
  std::vector<AuditEvent> out;
  EventAssembler a([&](AuditEvent&& e) { out.push_back(std::move(e)); }, nullptr);
  a.feed(
      "type=SYSCALL msg=audit(1000000000.100:901): arch=c000003e syscall=101 success=yes exit=0 a0=0 a1=0 a2=0 "
      "a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
      "comm=\"x\" exe=\"/x\" key=\"k\"\n");
  BOOST_TEST(out.empty());
  a.age_out();
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
}

// An event left open (in a storm its task waits mid-event for kernel backlog
// room) does not hold back the events that end after it, as libauparse
// alone would (it hands events out in timestamp order).
BOOST_AUTO_TEST_CASE(events_that_end_are_delivered_while_an_earlier_one_is_open) {
  std::vector<std::uint64_t> delivered;
  EventAssembler a([&](AuditEvent&& e) { delivered.push_back(e.serial); }, nullptr);
  const auto syscall = [](int serial) {
    return "type=SYSCALL msg=audit(1764175801.000:" + std::to_string(serial) +
           "): arch=c000003e syscall=101 success=no exit=-3 pid=7 comm=\"x\" key=\"k\"\n";
  };
  const auto eoe = [](int serial) { return "type=EOE msg=audit(1764175801.000:" + std::to_string(serial) + "): \n"; };
  a.feed(syscall(1));
  for (int s = 2; s <= 100; ++s) a.feed(syscall(s) + eoe(s));
  BOOST_TEST(delivered.size() == 99u);
  BOOST_TEST(std::count(delivered.begin(), delivered.end(), 1u) == 0);
  a.feed(eoe(1));
  BOOST_TEST(delivered.size() == 100u);
  BOOST_TEST(delivered.back() == 1u);
}

BOOST_AUTO_TEST_CASE(serial_gaps_are_counted_and_late_arrivals_credited) {
  auto rec = [](int serial) {
    return "type=USER_LOGIN msg=audit(1764175801.000:" + std::to_string(serial) +
           "): pid=1 uid=0 auid=0 ses=1 msg='op=login acct=\"x\" exe=\"/bin/login\" hostname=? addr=? "
           "terminal=tty1 res=failed'\n";
  };
  Counters c;
  auto evs = assemble(rec(10) + rec(11) + rec(15) + rec(13) + rec(16), 4096, &c);
  BOOST_REQUIRE_EQUAL(evs.size(), 5u);
  std::uint64_t gaps = 0;
  for (const auto& s : c.snapshot())
    if (s.name == "audit.serial_gaps") gaps = s.value;
  BOOST_TEST(gaps == 2u);  // 12 and 14 missing; 13 arrived late
}

// auditd's DAEMON_* records carry serials of auditd's own: a DAEMON_START
// between kernel events is no gap (it was counted as millions in replays).
BOOST_AUTO_TEST_CASE(auditds_own_records_are_no_serial_gap) {
  auto login = [](std::uint64_t serial) {
    return "type=USER_LOGIN msg=audit(1764175801.000:" + std::to_string(serial) +
           "): pid=1 uid=0 auid=0 ses=1 msg='op=login acct=\"x\" exe=\"/bin/login\" hostname=? addr=? "
           "terminal=tty1 res=failed'\n";
  };
  const std::string start =
      "type=DAEMON_START msg=audit(1764175801.500:4711): op=start ver=3.0.9 format=raw kernel=6.1.0 auid=4294967295 "
      "pid=812 uid=0 ses=4294967295 res=success\n";
  Counters c;
  auto evs = assemble(login(5000000) + login(5000001) + start + login(5000002), 4096, &c);
  BOOST_REQUIRE_EQUAL(evs.size(), 4u);
  BOOST_TEST(counter_value(c, "audit.serial_gaps") == 0u);
}

BOOST_AUTO_TEST_CASE(handler_exception_does_not_escape) {
  Counters c;
  int calls = 0;
  EventAssembler a([&](AuditEvent&&) { ++calls; throw std::runtime_error("boom"); }, &c);
  a.feed(slurp(data("interleaved.log")));
  a.flush();
  BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(reference_record_counts_of_the_audit_userspace_tests) {
  // auparse_test.ref ("file feed" of test.log) has 7 events of 4,1,1,3,1,1,1
  // records: serials 293..299, serial 296 being LOGIN + SYSCALL + PROCTITLE.
  // Debian 12's libauparse 3.0.9 ends an event at a LOGIN record, so 296
  // arrives as two deliveries (LOGIN, then SYSCALL + PROCTITLE); every
  // record and serial is there.
  auto evs = assemble(slurp(shared_logs() / "audit-userspace/test.log"), 50);
  std::vector<std::uint64_t> serials;
  std::size_t records = 0;
  for (const auto& e : evs) {
    if (serials.empty() || serials.back() != e.serial) serials.push_back(e.serial);
    records += e.records.size();
  }
  BOOST_TEST(serials == (std::vector<std::uint64_t>{293, 294, 295, 296, 297, 298, 299}),
             boost::test_tools::per_element());
  BOOST_TEST(records == 12u);
  BOOST_TEST(evs.front().records.size() == 4u);
}

BOOST_AUTO_TEST_CASE(every_shared_log_assembles_without_losing_a_record) {
  const auto logs = testing::shared_log_files();
  for (const auto& log : logs) {
    const std::string text = testing::file_text(log);
    std::size_t lines = 0;
    for (std::istringstream in(text); !in.eof();) {
      std::string line;
      std::getline(in, line);
      if (line.rfind("node=", 0) == 0) line.erase(0, line.find(' ') + 1);  // multi-host logs
      // Lines without a timestamp ("type=UNKNOWN[1329] msg=?") are not records.
      if (line.rfind("type=", 0) == 0 && line.rfind("type=EOE", 0) != 0 &&
          line.find("msg=audit(") != std::string::npos)
        ++lines;
    }
    std::size_t records = 0;
    for (const auto& e : assemble(text, 1000)) records += e.records.size();
    BOOST_TEST_CONTEXT(log) { BOOST_TEST(records == lines); }
  }
  BOOST_TEST(logs.size() >= 40u);
}

BOOST_AUTO_TEST_CASE(lines_that_are_not_records_are_skipped_and_counted) {
  Counters c;
  const std::string text =
      "# a comment\n"
      "\n"
      "type=SYSCALL msg=audit(1764175801.100:950): arch=c000003e syscall=101 success=yes exit=0 a0=0 a1=0 a2=0 "
      "a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
      "comm=\"x\" exe=\"/x\" key=\"k\"\n"
      "garbage without a type\n"
      "type=EOE msg=audit(1764175801.100:950): \n";
  for (std::size_t chunk : {1u, 3u, 4096u}) {
    Counters counters;
    auto evs = assemble(text, chunk, &counters);
    BOOST_TEST_CONTEXT("chunk " << chunk) {
      BOOST_REQUIRE_EQUAL(evs.size(), 1u);
      BOOST_TEST(evs[0].serial == 950u);
      std::uint64_t malformed = 0;
      for (const auto& s : counters.snapshot())
        if (s.name == "audit.malformed") malformed = s.value;
      BOOST_TEST(malformed == 2u);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_interest_sees_skeletons_and_only_wanted_events_arrive_whole) {
  std::vector<AuditEvent> delivered;
  std::vector<AuditEvent> skeletons;
  Counters c;
  EventAssembler a([&](AuditEvent&& e) { delivered.push_back(std::move(e)); }, &c,
                   [&](const AuditEvent& s) {
                     skeletons.push_back(s);
                     return s.key() == "cshield.file_escape:/etc/shadow";
                   });
  a.feed(slurp(data("interleaved.log")));
  a.flush();
  BOOST_REQUIRE_EQUAL(skeletons.size(), 2u);
  for (const auto& s : skeletons) {
    const auto* sys = s.syscall();
    BOOST_REQUIRE(sys);
    BOOST_TEST(sys->field("key"));
    BOOST_TEST(sys->field("syscall"));
    BOOST_TEST(sys->field("exe"));
    BOOST_TEST(sys->field("ppid"));  // the SYSCALL record is read whole once, for skeleton and event
    for (const auto& r : s.records)
      if (r.type != rec::kSyscall) BOOST_TEST(r.fields.empty());  // the others only when wanted
  }
  BOOST_REQUIRE_EQUAL(delivered.size(), 1u);
  BOOST_TEST(delivered[0].serial == 501u);
  BOOST_TEST(delivered[0].records.size() == 4u);
  BOOST_TEST(delivered[0].syscall()->text("ppid").value() == "4200");  // whole
  BOOST_TEST(delivered[0].first(rec::kPath)->text("name").value() == "/hostetc/shadow");
  BOOST_TEST(a.events() == 2u);  // both counted
}

// A record demand leaves the fields of records of the types it declines
// unread (type and name kept), is asked only about wanted events, and the
// same assembler reads the records it accepts whole.
BOOST_AUTO_TEST_CASE(a_record_demand_leaves_declined_records_without_fields) {
  std::vector<AuditEvent> delivered;
  std::vector<int> asked;
  EventAssembler a([&](AuditEvent&& e) { delivered.push_back(std::move(e)); }, nullptr,
                   [&](const AuditEvent& s) { return s.key() == "cshield.file_escape:/etc/shadow"; },
                   [&](int type) {
                     asked.push_back(type);
                     return type != rec::kPath;
                   });
  const std::string text = slurp(data("interleaved.log"));
  a.feed(text);
  a.flush();
  BOOST_REQUIRE_EQUAL(delivered.size(), 1u);
  const AuditEvent& e = delivered[0];
  const auto whole = assemble(text);
  const AuditEvent& reference = by_serial(whole, e.serial);
  BOOST_REQUIRE_EQUAL(e.records.size(), reference.records.size());
  for (std::size_t i = 0; i < e.records.size(); ++i) {
    const AuditRecord& r = e.records[i];
    BOOST_TEST(r.type == reference.records[i].type);
    BOOST_TEST(r.type_name == reference.records[i].type_name);
    if (r.type == rec::kPath) {
      BOOST_TEST(r.fields.empty());
    } else {
      BOOST_REQUIRE_EQUAL(r.fields.size(), reference.records[i].fields.size());
      for (std::size_t j = 0; j < r.fields.size(); ++j) {
        BOOST_TEST(r.fields[j].name == reference.records[i].fields[j].name);
        BOOST_TEST(r.fields[j].raw == reference.records[i].fields[j].raw);
        BOOST_TEST(r.fields[j].text() == reference.records[i].fields[j].text());
      }
    }
  }
  // Asked about the wanted event's records beyond its SYSCALL only.
  BOOST_TEST(asked.size() == e.records.size() - 1);
  BOOST_TEST(std::count(asked.begin(), asked.end(), rec::kSyscall) == 0);
}

BOOST_AUTO_TEST_CASE(a_forged_timestamp_is_bounded) {
  // Found by fuzz_assembler: seconds * 1000 overflowed.
  auto evs = assemble(
      "type=SYSCALL msg=audit(176417584294967295.100:7): arch=c000003e syscall=101 success=yes exit=0 a0=0 a1=0 "
      "a2=0 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
      "ses=1 comm=\"x\" exe=\"/x\" key=\"k\"\n");
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  BOOST_TEST(evs[0].time_ms == kMaxTimeMs);
}

BOOST_AUTO_TEST_CASE(an_event_is_delivered_at_its_eoe_not_at_the_next_record) {
  // Found in a storm test: libauparse held each last event of a burst until
  // the next record arrived, so a short-lived process was gone by then.
  std::vector<std::uint64_t> delivered;
  EventAssembler a([&](AuditEvent&& e) { delivered.push_back(e.serial); }, nullptr);
  for (int serial = 900; serial < 903; ++serial) {
    const std::string s = std::to_string(serial);
    a.feed("type=SYSCALL msg=audit(1764175801.100:" + s +
           "): arch=c000003e syscall=101 success=yes exit=0 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 "
           "gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=\"k\"\n");
    BOOST_TEST(delivered.size() == static_cast<std::size_t>(serial - 900));
    a.feed("type=EOE msg=audit(1764175801.100:" + s + "): \n");
    BOOST_TEST_REQUIRE(delivered.size() == static_cast<std::size_t>(serial - 899));
    BOOST_TEST(delivered.back() == static_cast<std::uint64_t>(serial));
  }
}

BOOST_AUTO_TEST_CASE(records_without_an_eoe_do_not_hold_back_the_events_after_them) {
  // Found in a storm test: the CONFIG_CHANGE records of cshield's own rule
  // loading (no SYSCALL, no EOE) held every later event until they aged out.
  std::vector<std::uint64_t> delivered;
  EventAssembler a([&](AuditEvent&& e) { delivered.push_back(e.serial); }, nullptr);
  for (int serial = 10; serial < 13; ++serial)
    a.feed("type=CONFIG_CHANGE msg=audit(1764175801.000:" + std::to_string(serial) +
           "): auid=4294967295 ses=4294967295 op=add_rule key=\"cshield.x\" list=4 res=1\n");
  a.feed("type=SYSCALL msg=audit(1764175802.000:20): arch=c000003e syscall=101 success=yes exit=0 a0=0 a1=0 a2=0 "
         "a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
         "comm=\"x\" exe=\"/x\" key=\"k\"\n");
  a.feed("type=EOE msg=audit(1764175802.000:20): \n");
  BOOST_TEST(delivered == (std::vector<std::uint64_t>{10, 11, 12, 20}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_record_arriving_after_its_event_ended_holds_nothing_back) {
  // Found under live load: once the netlink socket was full, the kernel kept
  // a record for a retry and sent the rest of its event, EOE included, and
  // later events first. libauparse then held every later event behind the
  // late record's event until it aged out (seconds), scanning them all.
  auto syscall = [](int serial) {
    return "type=SYSCALL msg=audit(1764175801.100:" + std::to_string(serial) +
           "): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=0 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 "
           "uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=\"k\"\n";
  };
  auto path = [](int serial) {
    return "type=PATH msg=audit(1764175801.100:" + std::to_string(serial) +
           "): item=0 name=\"/etc/shadow\" inode=5 dev=fd:00 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL "
           "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n";
  };
  auto eoe = [](int serial) { return "type=EOE msg=audit(1764175801.100:" + std::to_string(serial) + "): \n"; };
  std::vector<AuditEvent> delivered;
  Counters c;
  EventAssembler a([&](AuditEvent&& e) { delivered.push_back(std::move(e)); }, &c);
  a.feed(syscall(30) + eoe(30));   // event 30 without its PATH record
  a.feed(syscall(31) + path(31) + eoe(31));
  a.feed(path(30));                // 30's PATH, late
  a.feed(syscall(32) + path(32) + eoe(32));
  a.feed(syscall(33) + path(33) + eoe(33));
  // Every event is out without a flush, the late record as an event of its own.
  BOOST_REQUIRE_EQUAL(delivered.size(), 5u);
  std::vector<std::uint64_t> serials;
  for (const auto& e : delivered) serials.push_back(e.serial);
  BOOST_TEST(serials == (std::vector<std::uint64_t>{30, 31, 30, 32, 33}), boost::test_tools::per_element());
  BOOST_TEST(delivered[2].records.size() == 1u);
  BOOST_TEST(delivered[2].first(rec::kPath)->text("name").value() == "/etc/shadow");
  BOOST_TEST(delivered[3].records.size() == 2u);
  BOOST_TEST(counter_value(c, "audit.late_records") == 1u);
  BOOST_TEST(counter_value(c, "audit.malformed") == 0u);
}

namespace {

// The readable text of a field as the assembler made it before its fields
// were views (an eager std::string per field), kept here as the reference.
std::string reference_text(int record_type, const std::string& name, const std::string& raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') return raw.substr(1, raw.size() - 2);
  if (raw.empty() || raw.size() % 2 != 0) return raw;
  static const std::set<std::string> escapable = {
      "acct", "cgroup", "cmd", "comm", "cwd", "data", "dir", "exe", "file", "grp", "hostname", "key", "name",
      "new_group", "ocomm", "path", "proctitle", "root_dir", "sw", "terminal", "vm", "watch"};
  bool argument = false;
  if (record_type == rec::kExecve && name.size() >= 2 && name[0] == 'a') {
    std::size_t i = 1;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
    argument = i > 1 && (i == name.size() || name[i] == '[');
  }
  if (!escapable.count(name) && !argument) return raw;
  std::string out;
  for (std::size_t i = 0; i < raw.size(); i += 2) {
    const std::string pair = raw.substr(i, 2);
    if (pair.find_first_not_of("0123456789ABCDEF") != std::string::npos) return raw;
    char c = static_cast<char>(std::stoi(pair, nullptr, 16));
    if (record_type == rec::kProctitle && c == '\0') c = ' ';
    out.push_back(c);
  }
  return out;
}

std::vector<fs::path> every_log() {
  std::vector<fs::path> logs = testing::shared_log_files();
  for (const auto& entry : fs::directory_iterator(fs::path(CSHIELD_SOURCE_DIR) / "test/data/audit"))
    logs.push_back(entry.path());
  std::sort(logs.begin(), logs.end());
  return logs;
}

// An event as plain strings, to compare events made at different times.
std::string flat(const AuditEvent& e) {
  std::string out = std::to_string(e.serial) + "@" + std::to_string(e.time_ms) + "\n";
  for (const auto& r : e.records) {
    out += std::to_string(r.type) + " " + r.type_name + ":";
    for (const auto& f : r.fields) {
      out += " " + std::string(f.name) + "=" + std::string(f.raw);
      if (f.text() != f.raw) out += "(" + std::string(f.text()) + ")";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_fields_text_is_what_the_eager_decoding_made) {
  std::size_t fields = 0, decoded = 0;
  for (const auto& log : every_log()) {
    for (const auto& e : assemble(slurp(log), 1000)) {
      for (const auto& r : e.records) {
        for (const auto& f : r.fields) {
          ++fields;
          if (f.name == "syscall" || f.name == "arch") continue;  // auparse's names
          const std::string expected = reference_text(r.type, std::string(f.name), std::string(f.raw));
          if (expected != f.raw) ++decoded;
          BOOST_TEST_CONTEXT(log << " " << r.type_name << " " << f.name << "=" << f.raw) {
            BOOST_TEST(f.text() == expected);
            if (r.field(f.name) == &f) BOOST_TEST(r.text(f.name).value() == expected);  // the first of its name
          }
        }
      }
    }
  }
  BOOST_TEST(fields > 5000u);
  BOOST_TEST(decoded > 1000u);
}

// The assembler reuses the memory of an event its handler did not take. A
// handler that copies events, or only reads them, must see what one that
// moves them away sees; copies must not change when later events reuse
// the memory they were copied from. The same for a Reader, whose events'
// fields view auparse's text, freed once the reader has returned.
BOOST_AUTO_TEST_CASE(events_copied_or_read_in_place_equal_events_moved_away) {
  for (const auto& log : every_log()) {
    const std::string text = slurp(log);
    std::vector<std::string> moved;
    for (const auto& e : assemble(text, 777)) moved.push_back(flat(e));
    std::vector<AuditEvent> copies;
    std::vector<std::string> read;
    EventAssembler a(
        [&](AuditEvent&& e) {
          read.push_back(flat(e));
          copies.push_back(e);  // a copy: e stays the assembler's
        },
        nullptr);
    for (std::size_t i = 0; i < text.size(); i += 777) a.feed(std::string_view(text).substr(i, 777));
    a.flush();
    // A Reader's events view auparse's text: read during the call, and
    // copied (which copies that text) to be read after auparse freed it.
    std::vector<AuditEvent> view_copies;
    std::vector<std::string> viewed;
    EventAssembler v(
        EventAssembler::ReadOnly{},
        [&](const AuditEvent& e) {
          viewed.push_back(flat(e));
          view_copies.push_back(e);
        },
        nullptr);
    for (std::size_t i = 0; i < text.size(); i += 777) v.feed(std::string_view(text).substr(i, 777));
    v.flush();
    std::vector<std::string> copied, view_copied;
    for (const auto& e : copies) copied.push_back(flat(e));
    for (const auto& e : view_copies) view_copied.push_back(flat(e));
    BOOST_TEST_CONTEXT(log) {
      BOOST_TEST(read == moved, boost::test_tools::per_element());
      BOOST_TEST(copied == moved, boost::test_tools::per_element());
      BOOST_TEST(viewed == moved, boost::test_tools::per_element());
      BOOST_TEST(view_copied == moved, boost::test_tools::per_element());
    }
  }
}

// Records of a type no event reads reach libauparse without their fields
// (set_type_demand()): every event must be the one read with those records
// declined after parsing (RecordDemand), each record in its place, on every
// log; the skeleton's types are never asked about.
BOOST_AUTO_TEST_CASE(a_type_demand_withholds_fields_and_keeps_every_record_in_place) {
  const std::set<int> unread = {1321 /* BPRM_FCAPS */, rec::kExecve, rec::kCwd, rec::kProctitle, 1306 /* SOCKADDR */};
  std::size_t withheld = 0;
  for (const auto& log : every_log()) {
    const std::string text = slurp(log);
    std::set<int> asked;
    auto run = [&](bool bare) {
      std::vector<std::string> out;
      EventAssembler a([&](AuditEvent&& e) { out.push_back(flat(e)); }, nullptr, [](const AuditEvent&) { return true; },
                       [&](int type) { return !unread.count(type); });
      if (bare)
        a.set_type_demand([&](int type) {
          asked.insert(type);
          return !unread.count(type);
        });
      for (std::size_t i = 0; i < text.size(); i += 777) a.feed(std::string_view(text).substr(i, 777));
      a.flush();
      return out;
    };
    const auto parsed = run(false);
    BOOST_TEST_CONTEXT(log) {
      BOOST_TEST(run(true) == parsed, boost::test_tools::per_element());
      BOOST_TEST(!asked.count(rec::kSyscall));
      BOOST_TEST(!asked.count(rec::kSeccomp));
    }
    for (int type : unread) withheld += asked.count(type);
  }
  BOOST_TEST(withheld >= 5u);
}

// Fields no event reads reach libauparse cut from their records
// (set_unread_fields()): every event must be the one read whole, less those
// fields, every other field as it was, on every log.
BOOST_AUTO_TEST_CASE(unread_fields_are_cut_and_every_other_field_is_kept) {
  const std::map<int, std::set<std::string>> cut = {
      {rec::kSyscall, {"items", "gid", "suid", "fsuid", "egid", "sgid", "fsgid", "tty", "ses", "a3"}},
      {rec::kPath, {"mode", "ouid", "ogid", "rdev", "cap_fp", "cap_fi", "cap_fe", "cap_fver", "cap_frootid"}},
      {rec::kExecve, {"argc"}}};
  auto is_cut = [&](int type, std::string_view name) {
    const auto it = cut.find(type);
    return it != cut.end() && it->second.count(std::string(name));
  };
  std::size_t dropped = 0;
  for (const auto& log : every_log()) {
    const std::string text = slurp(log);
    std::vector<std::string> whole_less_cut, cut_early;
    {
      EventAssembler a([&](AuditEvent&& e) {
        for (auto& r : e.records) {
          const auto kept = std::remove_if(r.fields.begin(), r.fields.end(),
                                           [&](const AuditField& f) { return is_cut(r.type, f.name); });
          dropped += static_cast<std::size_t>(r.fields.end() - kept);
          r.fields.erase(kept, r.fields.end());
        }
        whole_less_cut.push_back(flat(e));
      }, nullptr);
      for (std::size_t i = 0; i < text.size(); i += 777) a.feed(std::string_view(text).substr(i, 777));
      a.flush();
    }
    {
      EventAssembler a(EventAssembler::ReadOnly{}, [&](const AuditEvent& e) { cut_early.push_back(flat(e)); }, nullptr);
      a.set_unread_fields([&](int type) {
        const auto it = cut.find(type);
        return it == cut.end() ? std::vector<std::string>{}
                               : std::vector<std::string>(it->second.begin(), it->second.end());
      });
      for (std::size_t i = 0; i < text.size(); i += 777) a.feed(std::string_view(text).substr(i, 777));
      a.flush();
    }
    BOOST_TEST_CONTEXT(log) { BOOST_TEST(cut_early == whole_less_cut, boost::test_tools::per_element()); }
  }
  BOOST_TEST(dropped >= 1000u);
}

namespace {

// "serial type: arch=RAW(NAME) syscall=RAW(NAME)" for every record with an
// arch or syscall field, as libauparse itself names them
// (auparse_interpret_field() on every such field, nothing remembered), sorted.
std::vector<std::string> auparse_syscall_names(const std::string& text) {
  std::string records;  // the record lines only, as the assembler hands on
  for (std::istringstream in(text); !in.eof();) {
    std::string line;
    std::getline(in, line);
    if (line.rfind("type=", 0) == 0 || line.rfind("node=", 0) == 0) records += line + "\n";
  }
  std::vector<std::string> out;
  auparse_state_t* au = auparse_init(AUSOURCE_FEED, nullptr);
  BOOST_REQUIRE(au);
  auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
  auparse_add_callback(
      au,
      [](auparse_state_t* a, auparse_cb_event_t type, void* user) {
        if (type != AUPARSE_CB_EVENT_READY || auparse_first_record(a) <= 0) return;
        auto& lines = *static_cast<std::vector<std::string>*>(user);
        do {
          if (auparse_get_type(a) == rec::kEoe || auparse_first_field(a) <= 0) continue;
          std::string line;
          do {
            const char* name = auparse_get_field_name(a);
            if (!name || (std::string_view(name) != "arch" && std::string_view(name) != "syscall")) continue;
            const char* raw = auparse_get_field_str(a);
            const char* named = auparse_interpret_field(a);
            line += std::string(" ") + name + "=" + (raw ? raw : "") + "(" + (named ? named : raw ? raw : "") + ")";
          } while (auparse_next_field(a) > 0);
          const au_event_t* ts = auparse_get_timestamp(a);
          if (!line.empty()) lines.push_back(std::to_string(ts ? ts->serial : 0) + " " + std::to_string(auparse_get_type(a)) + ":" + line);
        } while (auparse_next_record(a) > 0);
      },
      &out, nullptr);
  auparse_feed(au, records.data(), records.size());
  auparse_flush_feed(au);
  auparse_destroy(au);
  std::sort(out.begin(), out.end());
  return out;
}

// The same lines from the assembler's events.
std::vector<std::string> assembled_syscall_names(const std::string& text, std::size_t chunk) {
  std::vector<std::string> out;
  for (const auto& e : assemble(text, chunk)) {
    for (const auto& r : e.records) {
      std::string line;
      for (const auto& f : r.fields)
        if (f.name == "arch" || f.name == "syscall")
          line += " " + std::string(f.name) + "=" + std::string(f.raw) + "(" + std::string(f.text()) + ")";
      if (!line.empty()) out.push_back(std::to_string(e.serial) + " " + std::to_string(r.type) + ":" + line);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// The assembler remembers auparse's names of syscalls and arches; whatever
// it answers from memory must be what auparse would have said: also for
// i386's socketcall and ipc (named by their first argument), fields out of
// the kernel's order, SECCOMP records and auditd's enriched format.
BOOST_AUTO_TEST_CASE(syscall_and_arch_names_are_auparses_own_for_every_record) {
  std::size_t named = 0;
  for (const auto& log : every_log()) {
    const std::string text = slurp(log);
    const auto expected = auparse_syscall_names(text);
    named += expected.size();
    for (std::size_t chunk : {std::size_t{333}, text.size() + 1}) {
      BOOST_TEST_CONTEXT(log << " in chunks of " << chunk) {
        BOOST_TEST(assembled_syscall_names(text, chunk) == expected, boost::test_tools::per_element());
      }
    }
  }
  BOOST_TEST(named > 200u);
  // The fixture's socketcalls are told apart by their first argument.
  const auto fixture = auparse_syscall_names(slurp(data("syscall_names.log")));
  BOOST_TEST(std::count_if(fixture.begin(), fixture.end(), [](const std::string& l) {
               return l.find("syscall=102(socketcall(socket))") != std::string::npos;
             }) == 2);
  BOOST_TEST(std::count_if(fixture.begin(), fixture.end(), [](const std::string& l) {
               return l.find("syscall=102(socketcall(connect))") != std::string::npos;
             }) == 1);
  BOOST_TEST(std::count_if(fixture.begin(), fixture.end(), [](const std::string& l) {
               return l.find("SYSCALL") == std::string::npos && l.find("(openat)") != std::string::npos;
             }) == 1);
}
