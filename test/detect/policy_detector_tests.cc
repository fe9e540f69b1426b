// abnormal_process and sensitive_file_access over literal audit records,
// with look-alikes that must not fire.
#define BOOST_TEST_MODULE policy_detectors
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "support/audit_text.h"
#include "support/detector_run.h"

#include "detect/abnormal_process.h"
#include "detect/sensitive_file_access.h"

using namespace cshield;
using cshield::testing::audit_value;
using cshield::testing::one_event;

namespace {

std::string syscall_record(int nr, const std::string& args, const std::string& comm, const std::string& exe,
                           const std::string& key, const std::string& success = "yes", int items = 2) {
  return "type=SYSCALL msg=audit(1764175801.100:7): arch=c000003e syscall=" + std::to_string(nr) +
         " success=" + success + " exit=" + (success == "yes" ? "0" : "-2") + " " + args +
         " items=" + std::to_string(items) +
         " ppid=4200 pid=4242 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
         "ses=4294967295 comm=" + audit_value(comm) + " exe=" + audit_value(exe) + " key=" +
         (key.empty() ? "(null)" : "\"" + key + "\"") + "\n";
}

std::string path_record(int item, const std::string& name, const std::string& nametype) {
  return "type=PATH msg=audit(1764175801.100:7): item=" + std::to_string(item) + " name=" + audit_value(name) +
         " inode=1234 dev=00:2a mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=" + nametype +
         " cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n";
}

std::string cwd_record(const std::string& cwd) {
  return "type=CWD msg=audit(1764175801.100:7): cwd=" + audit_value(cwd) + "\n";
}

const char* kEoe = "type=EOE msg=audit(1764175801.100:7): \n";

// An execve of `path` (as given to execve) resolving to `exe`.
AuditEvent exec_event(const std::string& path, const std::string& exe, const std::string& comm,
                      const std::string& cwd = "/", const std::string& success = "yes") {
  return one_event(syscall_record(59, "a0=55d0 a1=55e0 a2=55f0 a3=0", comm, exe, kExecKey, success) +
                   "type=EXECVE msg=audit(1764175801.100:7): argc=2 a0=" + audit_value(path) + " a1=\"/\"\n" +
                   cwd_record(cwd) + path_record(0, path, "NORMAL") +
                   path_record(1, "/lib64/ld-linux-x86-64.so.2", "NORMAL") + kEoe);
}

ContainerInfo in_group() {
  ContainerInfo c = testing::test_container('a');
  c.name = "web-1";
  c.image = "nginx:1.27";
  return c;
}

ContainerInfo outside() {
  ContainerInfo c = testing::test_container('b');
  c.name = "db-1";
  c.image = "postgres:16";
  return c;
}

std::shared_ptr<const PolicySet> policy(std::optional<std::int64_t> learning_until = std::nullopt) {
  PolicyGroup g;
  g.name = "web";
  g.selectors.names = {"web-*"};
  g.process_whitelist = {"/bin/sh", "/usr/sbin/*"};
  g.protected_files = {"/etc/passwd", "/etc/nginx/*"};
  g.learning_until_ms = learning_until;
  return std::make_shared<const PolicySet>(std::vector<PolicyGroup>{g});
}

struct RecordingLearner : ExecLearner {
  std::vector<std::pair<std::string, std::string>> seen;
  void learned(const std::string& group, const std::string& path, std::int64_t) noexcept override {
    seen.emplace_back(group, path);
  }
};

std::vector<Alarm> run(const Detector& d, const AuditEvent& ev, const ContainerInfo* c) {
  return testing::run_detector(d, ev, c);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(abnormal_process)

BOOST_AUTO_TEST_CASE(an_executable_off_the_whitelist_raises_naming_the_path_the_container_used) {
  AbnormalProcessDetector d(policy(), nullptr);
  const auto c = in_group();
  auto alarms = run(d, exec_event("/bin/ls", "/bin/busybox", "ls"), &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  const Alarm& a = alarms[0];
  BOOST_TEST(a.type == "abnormal_process");
  BOOST_TEST(a.subtype == "not_whitelisted");
  BOOST_TEST(a.severity == "medium");
  BOOST_TEST(a.category == "abnormal_system_behavior");
  BOOST_TEST(a.path.value_or("") == "/bin/ls");  // not /bin/busybox, which it links to
  BOOST_TEST(a.syscall == "execve");
  BOOST_TEST(a.evidence_json.find("\"policy_group\":\"web\"") != std::string::npos);
  BOOST_TEST(a.evidence_json.find("\"exe\":\"/bin/busybox\"") != std::string::npos);
  BOOST_TEST(a.evidence_json.find("\"argv\":[\"/bin/ls\",\"/\"]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(whitelisted_paths_raise_nothing_even_when_they_share_a_binary) {
  AbnormalProcessDetector d(policy(), nullptr);
  const auto c = in_group();
  BOOST_TEST(run(d, exec_event("/bin/sh", "/bin/busybox", "sh"), &c).empty());
  BOOST_TEST(run(d, exec_event("/usr/sbin/nginx", "/usr/sbin/nginx", "nginx"), &c).empty());
}

BOOST_AUTO_TEST_CASE(look_alikes_of_whitelisted_paths_raise) {
  AbnormalProcessDetector d(policy(), nullptr);
  const auto c = in_group();
  BOOST_TEST(run(d, exec_event("/bin/sh2", "/bin/sh2", "sh2"), &c).size() == 1u);
  BOOST_TEST(run(d, exec_event("/tmp/bin/sh", "/bin/busybox", "sh"), &c).size() == 1u);
  BOOST_TEST(run(d, exec_event("/usr/sbin/x/nginx", "/usr/sbin/x/nginx", "nginx"), &c).size() == 1u);
  // A relative path is the working directory's: ./sh in /tmp is /tmp/sh.
  auto relative = run(d, exec_event("./sh", "/tmp/sh", "sh", "/tmp"), &c);
  BOOST_REQUIRE_EQUAL(relative.size(), 1u);
  BOOST_TEST(relative[0].path.value_or("") == "/tmp/sh");
  BOOST_TEST(run(d, exec_event("sh", "/bin/busybox", "sh", "/bin"), &c).empty());
}

BOOST_AUTO_TEST_CASE(executions_through_proc_self_exe_are_named_by_the_executable) {
  AbnormalProcessDetector d(policy(), nullptr);
  const auto c = in_group();
  // busybox sh runs its applets (cat) by executing /proc/self/exe.
  auto alarms = run(d, exec_event("/proc/self/exe", "/bin/busybox", "cat"), &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  BOOST_TEST(alarms[0].path.value_or("") == "/bin/busybox");
  BOOST_TEST(run(d, exec_event("/proc/self/exe", "/usr/sbin/nginx", "nginx"), &c).empty());
  BOOST_TEST(run(d, exec_event("/dev/fd/3", "/usr/sbin/nginx", "nginx"), &c).empty());
}

BOOST_AUTO_TEST_CASE(containers_outside_any_group_hosts_runtimes_and_failures_raise_nothing) {
  AbnormalProcessDetector d(policy(), nullptr);
  const auto c = in_group();
  const auto other = outside();
  BOOST_TEST(run(d, exec_event("/bin/ls", "/bin/busybox", "ls"), &other).empty());
  BOOST_TEST(run(d, exec_event("/bin/ls", "/bin/busybox", "ls"), nullptr).empty());
  BOOST_TEST(run(d, exec_event("/usr/sbin/runc", "/usr/sbin/runc", "runc:[2:INIT]"), &c).empty());
  BOOST_TEST(!d.wants(exec_event("/bin/ls", "/bin/busybox", "ls", "/", "no")));
  AbnormalProcessDetector no_policy(std::make_shared<const PolicySet>(), nullptr);
  BOOST_TEST(!no_policy.wants(exec_event("/bin/ls", "/bin/busybox", "ls")));
}

BOOST_AUTO_TEST_CASE(events_are_wanted_by_syscall_whatever_rule_keyed_them) {
  AbnormalProcessDetector d(policy(), nullptr);
  auto ev = one_event(syscall_record(59, "a0=1 a1=2 a2=3 a3=0", "su", "/bin/su", "cshield.privilege_escalation") +
                      path_record(0, "/bin/su", "NORMAL") + kEoe);
  BOOST_TEST(d.wants(ev));
  auto open = one_event(syscall_record(257, "a0=ffffff9c a1=1 a2=0 a3=0", "cat", "/bin/cat", kExecKey));
  BOOST_TEST(!d.wants(open));
  const auto rules = d.rules();
  BOOST_REQUIRE_EQUAL(rules.size(), 1u);
  BOOST_TEST((rules[0] == exec_rule()));
}

BOOST_AUTO_TEST_CASE(learning_mode_records_instead_of_alarming_until_it_ends) {
  const auto ev = exec_event("/bin/ls", "/bin/busybox", "ls");
  RecordingLearner learner;
  AbnormalProcessDetector learning(policy(ev.time_ms + 1), &learner);
  const auto c = in_group();
  BOOST_TEST(run(learning, ev, &c).empty());
  BOOST_REQUIRE_EQUAL(learner.seen.size(), 1u);
  BOOST_TEST(learner.seen[0].first == "web");
  BOOST_TEST(learner.seen[0].second == "/bin/ls");
  AbnormalProcessDetector ended(policy(ev.time_ms), &learner);
  BOOST_TEST(run(ended, ev, &c).size() == 1u);
  BOOST_TEST(learner.seen.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sensitive_file_access)

const std::string kKey = std::string(kSensitiveFileKeyPrefix) + std::string(64, 'a');

// One file call: the watched object's PATH record after its parent's.
AuditEvent file_event(int nr, const std::string& args, const std::string& name,
                      const std::string& nametype = "NORMAL", const std::string& extra_paths = "") {
  return one_event(syscall_record(nr, args, "sh", "/bin/busybox", kKey) + cwd_record("/") +
                   path_record(0, "/etc/", "PARENT") + path_record(1, name, nametype) + extra_paths + kEoe);
}

std::vector<Alarm> run_sfa(const AuditEvent& ev, const ContainerInfo* c) {
  SensitiveFileAccessDetector d(policy());
  return run(d, ev, c);
}

BOOST_AUTO_TEST_CASE(appending_to_a_protected_file_raises_a_write) {
  const auto c = in_group();
  // openat(AT_FDCWD, "/etc/passwd", O_WRONLY|O_CREAT|O_APPEND): echo x >> /etc/passwd
  auto alarms = run_sfa(file_event(257, "a0=ffffff9c a1=7ffd a2=441 a3=1b6", "/etc/passwd"), &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  const Alarm& a = alarms[0];
  BOOST_TEST(a.type == "sensitive_file_access");
  BOOST_TEST(a.subtype == "write");
  BOOST_TEST(a.severity == "high");
  BOOST_TEST(a.path.value_or("") == "/etc/passwd");
  BOOST_TEST(a.syscall == "openat");
  BOOST_TEST(a.evidence_json.find("\"protected\":\"/etc/passwd\"") != std::string::npos);
  BOOST_TEST(a.evidence_json.find("\"policy_group\":\"web\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_kind_of_modification_is_named) {
  const auto c = in_group();
  struct Case {
    int nr;
    std::string args, subtype;
  };
  const std::vector<Case> cases{
      {257, "a0=ffffff9c a1=7ffd a2=241 a3=1b6", "truncate"},  // O_WRONLY|O_CREAT|O_TRUNC
      {2, "a0=7ffd a1=2 a2=0 a3=0", "write"},                  // open O_RDWR
      {76, "a0=7ffd a1=0 a2=0 a3=0", "truncate"},
      {87, "a0=7ffd a1=0 a2=0 a3=0", "unlink"},
      {263, "a0=ffffff9c a1=7ffd a2=0 a3=0", "unlink"},
      {90, "a0=7ffd a1=1ff a2=0 a3=0", "chmod"},
      {268, "a0=ffffff9c a1=7ffd a2=1ff a3=0", "chmod"},
      {92, "a0=7ffd a1=3e8 a2=3e8 a3=0", "chown"},
      {260, "a0=ffffff9c a1=7ffd a2=3e8 a3=3e8", "chown"},
      {188, "a0=7ffd a1=7ffe a2=7fff a3=4", "setxattr"},
      {86, "a0=7ffd a1=7ffe a2=0 a3=0", "link"},
      {88, "a0=7ffd a1=7ffe a2=0 a3=0", "link"},
  };
  for (const auto& k : cases) {
    BOOST_TEST_CONTEXT("syscall " << k.nr) {
      auto alarms = run_sfa(file_event(k.nr, k.args, "/etc/passwd"), &c);
      BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
      BOOST_TEST(alarms[0].subtype == k.subtype);
    }
  }
}

BOOST_AUTO_TEST_CASE(renaming_over_a_protected_file_raises) {
  const auto c = in_group();
  // rename("/tmp/evil", "/etc/passwd"): two parents, the source, the replaced target, the new name.
  auto ev = one_event(syscall_record(82, "a0=7ffd a1=7ffe a2=0 a3=0", "mv", "/bin/busybox", kKey, "yes", 5) +
                      cwd_record("/") + path_record(0, "/tmp/", "PARENT") + path_record(1, "/etc/", "PARENT") +
                      path_record(2, "/tmp/evil", "DELETE") + path_record(3, "/etc/passwd", "DELETE") +
                      path_record(4, "/etc/passwd", "CREATE") + kEoe);
  auto alarms = run_sfa(ev, &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  BOOST_TEST(alarms[0].subtype == "rename");
  BOOST_TEST(alarms[0].path.value_or("") == "/etc/passwd");
}

BOOST_AUTO_TEST_CASE(reads_times_and_look_alikes_raise_nothing) {
  const auto c = in_group();
  BOOST_TEST(run_sfa(file_event(257, "a0=ffffff9c a1=7ffd a2=0 a3=0", "/etc/passwd"), &c).empty());  // O_RDONLY
  BOOST_TEST(run_sfa(file_event(2, "a0=7ffd a1=80000 a2=0 a3=0", "/etc/passwd"), &c).empty());  // O_CLOEXEC read
  BOOST_TEST(run_sfa(file_event(280, "a0=ffffff9c a1=7ffd a2=0 a3=0", "/etc/passwd"), &c).empty());  // utimensat
  // Under a directory watch (/etc/nginx/*), files the globs do not name.
  BOOST_TEST(run_sfa(file_event(257, "a0=ffffff9c a1=7ffd a2=241 a3=1b6", "/etc/passwd-"), &c).empty());
  BOOST_TEST(run_sfa(file_event(257, "a0=ffffff9c a1=7ffd a2=241 a3=1b6", "/etc/nginx/conf.d/x.conf"), &c).empty());
  auto glob = run_sfa(file_event(257, "a0=ffffff9c a1=7ffd a2=241 a3=1b6", "/etc/nginx/nginx.conf"), &c);
  BOOST_REQUIRE_EQUAL(glob.size(), 1u);
  BOOST_TEST(glob[0].evidence_json.find("\"protected\":\"/etc/nginx/*\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_processes_of_covered_containers_raise) {
  const auto ev = file_event(257, "a0=ffffff9c a1=7ffd a2=441 a3=1b6", "/etc/passwd");
  const auto other = outside();
  BOOST_TEST(run_sfa(ev, &other).empty());
  BOOST_TEST(run_sfa(ev, nullptr).empty());
  SensitiveFileAccessDetector none(std::make_shared<const PolicySet>());
  BOOST_TEST(!none.wants(ev));
  BOOST_TEST(none.rules().empty());  // watches are per container
  auto other_key = one_event(syscall_record(257, "a0=ffffff9c a1=7ffd a2=441 a3=1b6", "sh", "/bin/sh",
                                            "cshield.file_escape:/etc/passwd"));
  SensitiveFileAccessDetector d(policy());
  BOOST_TEST(d.wants(other_key));  // another cshield rule matched first: the PATH names decide
  auto foreign = one_event(syscall_record(257, "a0=ffffff9c a1=7ffd a2=441 a3=1b6", "sh", "/bin/sh", "not-ours"));
  BOOST_TEST(!d.wants(foreign));
  auto first_rule = one_event(syscall_record(257, "a0=ffffff9c a1=7ffd a2=2 a3=0", "py", "/usr/bin/python3",
                                             "cshield.vulnerability_escape") +
                              cwd_record("/") + path_record(0, "/etc/", "PARENT") +
                              path_record(1, "/etc/passwd", "NORMAL") + kEoe);
  const auto c = in_group();
  auto alarms = run(d, first_rule, &c);
  BOOST_REQUIRE_EQUAL(alarms.size(), 1u);
  BOOST_TEST(alarms[0].subtype == "write");
  auto read = one_event(syscall_record(257, "a0=ffffff9c a1=7ffd a2=0 a3=0", "cat", "/bin/cat",
                                       "cshield.vulnerability_escape") +
                        path_record(0, "/etc/passwd", "NORMAL") + kEoe);
  BOOST_TEST(run(d, read, &c).empty());
}

BOOST_AUTO_TEST_CASE(watch_paths_and_rules) {
  BOOST_TEST(protected_watch_path("/etc/passwd") == "/etc/passwd");
  BOOST_TEST(protected_watch_path("/etc/nginx/*") == "/etc/nginx");
  BOOST_TEST(protected_watch_path("/etc/*/conf") == "/etc");
  BOOST_TEST(protected_watch_path("/*.conf") == "/");
  BOOST_TEST(sensitive_file_watch("ctr", "/var/lib/docker/overlay2/x/merged/etc/passwd").to_auditctl() ==
             "-w /var/lib/docker/overlay2/x/merged/etc/passwd -p wa -k cshield.sensitive_file_access:ctr");
  BOOST_TEST(file_modification("openat", 0).empty());
  BOOST_TEST(file_modification("read", std::nullopt).empty());
}

BOOST_AUTO_TEST_SUITE_END()
