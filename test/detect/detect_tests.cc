#define BOOST_TEST_MODULE detect
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/audit_text.h"
#include "support/shared_logs.h"
#include "support/detector_run.h"
#include "detect/event_facts.h"
#include "detect/file_escape.h"
#include "detect/high_risk_syscall.h"

using namespace cshield;
using cshield::testing::audit_value;
using cshield::testing::one_event;

namespace {



std::string syscall_record(const std::string& serial, int nr, const std::string& comm, const std::string& exe,
                           const std::string& key, const std::string& tail = "success=no exit=-1 a0=10 a1=1 a2=0 a3=0") {
  return "type=SYSCALL msg=audit(1764175801.100:" + serial + "): arch=c000003e syscall=" + std::to_string(nr) + " " +
         tail + " items=0 ppid=4200 pid=4242 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 " +
         "fsgid=0 tty=(none) ses=4294967295 comm=" + audit_value(comm) + " exe=" + audit_value(exe) + " key=" +
         (key.empty() ? "(null)" : "\"" + key + "\"") + "\n";
}

ContainerInfo container() { return testing::test_container(); }

std::vector<Alarm> run(const Detector& d, const AuditEvent& ev, const ContainerInfo* c) {
  return testing::run_detector(d, ev, c);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(high_risk_syscall)

BOOST_AUTO_TEST_CASE(ptrace_in_a_container_raises_with_evidence) {
  HighRiskSyscallDetector d;
  auto c = container();
  auto ev = one_event(syscall_record("1", 101, "helper", "/helper", kHighRiskSyscallKey));
  auto alarms = run(d, ev, &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  const auto& a = alarms[0];
  BOOST_TEST(a.type == "high_risk_syscall");
  BOOST_TEST(a.subtype == "ptrace");
  BOOST_TEST(a.syscall == "ptrace");
  BOOST_TEST(a.name == "High-risk system call: ptrace");
  BOOST_TEST(a.severity == "high");
  BOOST_TEST(a.category == "abnormal_system_behavior");
  BOOST_TEST(a.evidence_json.find("\"syscall\":\"ptrace\"") != std::string::npos);
  BOOST_TEST(a.evidence_json.find("\"exit\":-1") != std::string::npos);
  BOOST_TEST(a.evidence_json.find("\"success\":false") != std::string::npos);
  BOOST_TEST(a.evidence_json.find("\"blocked\":false") != std::string::npos);
  BOOST_TEST(a.evidence_json.find("\"args\":[\"0x10\",\"0x1\",\"0x0\",\"0x0\"]") != std::string::npos);
  BOOST_TEST(!a.description.empty());
}

BOOST_AUTO_TEST_CASE(i386_calls_are_named_by_their_own_table) {
  HighRiskSyscallDetector d;
  auto c = container();
  // i386: 26 is ptrace (x86_64's 26 is msync)
  auto ev = one_event("type=SYSCALL msg=audit(1764175801.100:2): arch=40000003 syscall=26 success=yes exit=0 a0=10 "
                  "a1=1 a2=0 a3=0 items=0 ppid=1 pid=5 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                  "fsgid=0 tty=(none) ses=1 comm=\"h32\" exe=\"/h32\" key=\"cshield.high_risk_syscall\"\n");
  auto alarms = run(d, ev, &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  BOOST_TEST(alarms[0].syscall == "ptrace");
}

BOOST_AUTO_TEST_CASE(host_processes_raise_nothing) {
  HighRiskSyscallDetector d;
  auto ev = one_event(syscall_record("3", 308, "nsenter", "/usr/bin/nsenter", kHighRiskSyscallKey));
  BOOST_TEST(run(d, ev, nullptr).empty());
}

BOOST_AUTO_TEST_CASE(the_runtime_own_setns_during_exec_raises_nothing) {
  HighRiskSyscallDetector d;
  auto c = container();
  for (const auto& [comm, exe] : std::vector<std::pair<std::string, std::string>>{
           {"runc:[1:CHILD]", "/"},
           {"runc:[0:PARENT]", "/usr/sbin/runc"},
           {"exe", "/usr/sbin/runc"},  // runc init through /proc/self/exe, before it names its stage
           {"runc:[2:INIT]", "/memfd:runc_cloned:/proc/self/exe (deleted)"},
           {"crun", "/usr/bin/crun"},
           {"conmon", "/usr/bin/conmon"},
           {"containerd-shim", "/usr/bin/containerd-shim-runc-v2"}}) {
    auto ev = one_event(syscall_record("4", 308, comm, exe, kHighRiskSyscallKey));
    BOOST_TEST_CONTEXT(comm) { BOOST_TEST(run(d, ev, &c).empty()); }
  }
}

BOOST_AUTO_TEST_CASE(a_renamed_process_is_not_taken_for_the_runtime) {
  HighRiskSyscallDetector d;
  auto c = container();
  auto ev = one_event(syscall_record("5", 308, "runc:[1:CHILD]", "/tmp/evil", kHighRiskSyscallKey));
  BOOST_TEST(run(d, ev, &c).size() == 1u);
  BOOST_TEST(run(d, one_event(syscall_record("6", 308, "exe", "/tmp/exe", kHighRiskSyscallKey)), &c).size() == 1u);
}

BOOST_AUTO_TEST_CASE(syscalls_off_the_list_raise_nothing) {
  HighRiskSyscallDetector d({"ptrace"});
  auto c = container();
  BOOST_TEST(run(d, one_event(syscall_record("6", 308, "x", "/x", kHighRiskSyscallKey)), &c).empty());  // setns
  BOOST_TEST(run(d, one_event(syscall_record("7", 0, "x", "/x", kHighRiskSyscallKey)), &c).empty());  // read
}

BOOST_AUTO_TEST_CASE(listed_calls_logged_by_other_rules_count_too) {
  // auditd's own rules beside cshield, or a replayed log of another rule set.
  HighRiskSyscallDetector d;
  auto c = container();
  BOOST_TEST(run(d, one_event(syscall_record("7", 101, "x", "/x", "someone-else")), &c).size() == 1u);
  BOOST_TEST(run(d, one_event(syscall_record("8", 101, "x", "/x", "")), &c).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_seccomp_refusal_that_was_logged_raises_blocked) {
  HighRiskSyscallDetector d;
  auto c = container();
  auto ev = one_event("type=SECCOMP msg=audit(1764175801.100:9): auid=4294967295 uid=0 gid=0 ses=4294967295 "
                  "subj=unconfined pid=4242 comm=\"helper\" exe=\"/helper\" sig=0 arch=c000003e syscall=308 "
                  "compat=0 ip=0x7f00 code=0x50000\n");
  auto alarms = run(d, ev, &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  BOOST_TEST(alarms[0].subtype == "setns");
  BOOST_TEST(alarms[0].evidence_json.find("\"blocked\":true") != std::string::npos);
  BOOST_TEST(alarms[0].evidence_json.find("\"seccomp_action\":\"0x00050000\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_seccomp_log_action_is_left_to_the_syscall_rule) {
  HighRiskSyscallDetector d;
  auto c = container();
  auto ev = one_event("type=SECCOMP msg=audit(1764175801.100:10): auid=4294967295 uid=0 gid=0 ses=4294967295 "
                  "subj=unconfined pid=4242 comm=\"helper\" exe=\"/helper\" sig=0 arch=c000003e syscall=308 "
                  "compat=0 ip=0x7f00 code=0x7ffc0000\n");
  BOOST_TEST(run(d, ev, &c).empty());
}

BOOST_AUTO_TEST_CASE(rules_cover_the_list_without_an_arch) {
  HighRiskSyscallDetector d;
  auto rules = d.rules();
  BOOST_REQUIRE_EQUAL(rules.size(), 1u);
  BOOST_TEST(rules[0].arch.empty());  // the rule set emits b64 and b32
  BOOST_TEST(rules[0].key == kHighRiskSyscallKey);
  BOOST_TEST(rules[0].syscalls.size() == default_high_risk_syscalls().size());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(file_escape)

std::string open_shadow(const std::string& serial, const std::string& name, const std::string& flags_hex,
                        const std::string& key = "cshield.file_escape:/etc/shadow") {
  return syscall_record(serial, 257, "cat", "/bin/busybox", key,
                        "success=yes exit=3 a0=ffffff9c a1=7ffd1000 a2=" + flags_hex + " a3=0") +
         "type=CWD msg=audit(1764175801.100:" + serial + "): cwd=\"/tmp\"\n" +
         "type=PATH msg=audit(1764175801.100:" + serial + "): item=0 name=\"" + name +
         "\" inode=1234 dev=fe:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 "
         "cap_fe=0 cap_fver=0 cap_frootid=0\n";
}

BOOST_AUTO_TEST_CASE(reading_a_mapped_host_shadow_raises_with_both_names) {
  FileEscapeDetector d;
  auto c = container();
  auto alarms = run(d, one_event(open_shadow("20", "/hostetc/shadow", "0")), &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  const auto& a = alarms[0];
  BOOST_TEST(a.type == "file_escape");
  BOOST_TEST(a.subtype == "read");
  BOOST_TEST(a.severity == "high");
  BOOST_TEST(a.category == "exploit");
  BOOST_TEST(a.syscall == "openat");
  BOOST_TEST(a.path.value() == "/hostetc/shadow");
  BOOST_TEST(a.evidence_json.find("\"host_path\":\"/etc/shadow\"") != std::string::npos);
  BOOST_TEST(a.description.find("/etc/shadow") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(relative_names_are_made_absolute_with_the_cwd) {
  FileEscapeDetector d;
  auto c = container();
  auto alarms = run(d, one_event(open_shadow("21", "shadow", "0")), &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  BOOST_TEST(alarms[0].path.value() == "/tmp/shadow");
}

BOOST_AUTO_TEST_CASE(open_for_write_is_a_write) {
  FileEscapeDetector d;
  auto c = container();
  auto alarms = run(d, one_event(open_shadow("22", "/hostetc/shadow", "241")), &c);  // O_WRONLY|O_CREAT|O_TRUNC
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  BOOST_TEST(alarms[0].subtype == "write");
}

BOOST_AUTO_TEST_CASE(host_processes_and_runtime_managed_files_raise_nothing) {
  FileEscapeDetector d;
  auto c = container();
  BOOST_TEST(run(d, one_event(open_shadow("23", "/etc/shadow", "0")), nullptr).empty());
  BOOST_TEST(run(d, one_event(open_shadow("24", "/etc/hosts", "0", "cshield.file_escape:/etc/hosts")), &c).empty());
  BOOST_TEST(run(d, one_event(open_shadow("25", "/etc/shadow", "0", "other")), &c).empty());
}

BOOST_AUTO_TEST_CASE(watches_for_every_listed_path_and_never_runtime_managed_files) {
  FileEscapeDetector d({{"/etc/shadow", true}, {"/etc/passwd", false}, {"/etc/sudoers.d/", true}, {"/etc/hosts", true}});
  auto rules = d.rules();
  BOOST_REQUIRE_EQUAL(rules.size(), 3u);
  BOOST_TEST(rules[0].to_auditctl() == "-w /etc/shadow -p rwa -k cshield.file_escape:/etc/shadow");
  BOOST_TEST(rules[1].to_auditctl() == "-w /etc/passwd -p wa -k cshield.file_escape:/etc/passwd");
  BOOST_TEST(rules[2].to_auditctl() == "-w /etc/sudoers.d -p rwa -k cshield.file_escape:/etc/sudoers.d");
}

BOOST_AUTO_TEST_SUITE_END()

// Detectors that ask DetailDemand: asked about the alarm they raise (its
// fold key as raised), once; without details the alarm is the same alarm
// with evidence "{}", no description and its type's plain name; with them,
// exactly the alarm raised without a demand.
BOOST_AUTO_TEST_SUITE(detail_demand)

namespace {

struct Demand : DetailDemand {
  explicit Demand(bool wanted) : wanted(wanted) {}
  bool details_wanted(const Alarm& a) const override {
    asked.push_back(a);
    return wanted;
  }
  bool wanted;
  mutable std::vector<Alarm> asked;
};

std::vector<Alarm> run_with(const Detector& d, const AuditEvent& ev, const Demand* demand) {
  const ContainerInfo c = container();
  const ProcessInfo p = process_from_event(ev);
  std::vector<Alarm> out;
  BOOST_REQUIRE(d.wants(ev));
  EventContext ctx{ev, p, &c};
  ctx.demand = demand;
  d.evaluate(ctx, out);
  return out;
}

void check(const Detector& d, const AuditEvent& ev) {
  const auto full = run_with(d, ev, nullptr);
  BOOST_REQUIRE_EQUAL(full.size(), 1u);
  BOOST_REQUIRE(full[0].evidence_json != "{}");

  Demand yes(true);
  const auto with = run_with(d, ev, &yes);
  BOOST_REQUIRE_EQUAL(with.size(), 1u);
  BOOST_TEST(yes.asked.size() == 1u);
  BOOST_TEST(with[0].name == full[0].name);
  BOOST_TEST(with[0].evidence_json == full[0].evidence_json);
  BOOST_TEST(with[0].description == full[0].description);

  Demand no(false);
  const auto without = run_with(d, ev, &no);
  BOOST_REQUIRE_EQUAL(without.size(), 1u);
  BOOST_REQUIRE_EQUAL(no.asked.size(), 1u);
  BOOST_TEST(no.asked[0].same_fold_key(full[0]));
  BOOST_TEST(without[0].same_fold_key(full[0]));
  BOOST_TEST(without[0].type == full[0].type);
  BOOST_TEST(without[0].category == full[0].category);
  BOOST_TEST(without[0].severity == full[0].severity);
  BOOST_TEST(without[0].name == std::string(alarm_type_info(full[0].type)->name));
  BOOST_TEST(without[0].evidence_json == "{}");
  BOOST_TEST(without[0].description.empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(high_risk_syscall_asks_about_the_alarm_it_raises) {
  HighRiskSyscallDetector d;
  check(d, one_event(syscall_record("30", 101, "helper", "/helper", kHighRiskSyscallKey)));
  check(d, one_event("type=SECCOMP msg=audit(1764175801.100:31): auid=4294967295 uid=0 gid=0 ses=4294967295 "
                     "subj=unconfined pid=4242 comm=\"helper\" exe=\"/helper\" sig=0 arch=c000003e syscall=308 "
                     "compat=0 ip=0x7f00 code=0x50000\n"));
}

BOOST_AUTO_TEST_CASE(file_escape_asks_about_the_alarm_it_raises) {
  FileEscapeDetector d;
  check(d, one_event(file_escape::open_shadow("32", "/hostetc/shadow", "0")));
  check(d, one_event(file_escape::open_shadow("33", "shadow", "241")));  // relative to the cwd, a write
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// process_from_event() as it was written before it read the record in one
// walk: a lookup per field (the first of each name).
ProcessInfo process_by_lookups(const AuditEvent& ev) {
  ProcessInfo p;
  const AuditRecord* r = process_record(ev);
  if (!r) return p;
  auto id = [&](std::string_view name) { return r->number(name).value_or(-1); };
  p.pid = static_cast<int>(id("pid"));
  p.ppid = static_cast<int>(id("ppid"));
  if (p.ppid < 0) p.ppid = 0;
  p.uid = id("uid");
  p.euid = id("euid");
  p.auid = id("auid");
  p.comm = r->text_view("comm");
  p.exe = r->text_view("exe");
  if (const auto* t = ev.first(rec::kProctitle)) {
    p.cmdline = t->text_view("proctitle");
    for (char& c : p.cmdline)
      if (c == '\0') c = ' ';
  }
  return p;
}

bool same_process(const ProcessInfo& a, const ProcessInfo& b) {
  return a.pid == b.pid && a.ppid == b.ppid && a.uid == b.uid && a.euid == b.euid && a.auid == b.auid &&
         a.comm == b.comm && a.exe == b.exe && a.cmdline == b.cmdline;
}

}  // namespace

BOOST_AUTO_TEST_CASE(process_from_event_reads_the_first_field_of_each_name) {
  // Repeated, missing and malformed ids, in a SYSCALL record and a user-space one.
  const auto ev = one_event(
      "type=SYSCALL msg=audit(1764175801.100:77): arch=c000003e syscall=101 success=no exit=-1 a0=1 a1=2 a2=0 "
      "a3=0 items=0 pid=4242 auid=x uid=0 euid=5 pid=1 ppid=9 uid=7 comm=\"a\" exe=\"/b\" comm=\"c\" key=(null)\n"
      "type=EOE msg=audit(1764175801.100:77): \n");
  const ProcessInfo p = process_from_event(ev);
  BOOST_TEST(p.pid == 4242);
  BOOST_TEST(p.ppid == 9);
  BOOST_TEST(p.uid == 0);
  BOOST_TEST(p.euid == 5);
  BOOST_TEST(p.auid == -1);
  BOOST_TEST(p.comm == "a");
  BOOST_TEST(p.exe == "/b");
  BOOST_TEST(same_process(p, process_by_lookups(ev)));
  const auto user = one_event(
      "type=USER_AUTH msg=audit(1764175801.200:78): pid=31 uid=0 auid=1000 ses=2 msg='op=PAM:authentication "
      "acct=\"root\" exe=\"/usr/bin/su\" hostname=? addr=? terminal=pts/0 res=failed'\n");
  BOOST_TEST(same_process(process_from_event(user), process_by_lookups(user)));
  BOOST_TEST(process_from_event(user).ppid == 0);

  // Every event of every shared log.
  std::size_t events = 0;
  for (const auto& log : testing::shared_log_files()) {
    for (const auto& e : testing::events_of(testing::file_text(log))) {
      ++events;
      BOOST_TEST_CONTEXT(log << " serial " << e.serial) {
        BOOST_TEST(same_process(process_from_event(e), process_by_lookups(e)));
      }
    }
  }
  BOOST_TEST(events > 200u);
}
