#define BOOST_TEST_MODULE e2e_fault
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <vector>

#include "auditd_process.h"
#include "harness.h"

using namespace e2e;
using Poco::JSON::Object;

namespace {

constexpr auto kDeadline = std::chrono::seconds(10);

// A small tmpfs of its own, unmounted (lazily, the daemon may still hold a
// file) when the test ends.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::string& size) {
    if (::mount("cshield-e2e", dir_.path().c_str(), "tmpfs", 0, ("size=" + size + ",mode=0700").c_str()) != 0)
      throw std::runtime_error("cannot mount a tmpfs on " + dir_.path());
  }
  ~SmallTmpfs() { ::umount2(dir_.path().c_str(), MNT_DETACH); }
  const std::string& path() const { return dir_.path(); }

 private:
  TempDir dir_;
};

// Makes files refuse every write while the object lives, as a disk that went
// read-only does: the immutable flag (FS_IMMUTABLE_FL) makes ext4 answer
// each write into an already open file with an error (EPERM), which SQLite
// turns into SQLITE_IOERR_WRITE exactly as it does EROFS (it singles out
// only ENOSPC). The flag comes off again at scope end.
// Why not the file system itself: the kernel refuses `mount -o remount,ro`
// (and a read-only bind remount) with EBUSY while a file on it is open for
// writing; ext4's error path (trigger_fs_error, errors=remount-ro) and its
// shutdown ioctl do make it read-only under the daemon, but for good: a later
// remount rw is refused or leaves it read-only ("emergency_ro") until it is
// unmounted, which the open files prevent. Device-mapper error/flakey
// targets fail only the writeback behind the page cache, not SQLite's write().
class WritesRefused {
 public:
  explicit WritesRefused(std::vector<std::string> paths) : paths_(std::move(paths)) { set(true); }
  ~WritesRefused() { release(); }
  void release() {
    if (!released_) set(false);
    released_ = true;
  }

 private:
  void set(bool immutable) {
    for (const auto& path : paths_) {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      int flags = 0;
      if (fd < 0 || ::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) throw std::runtime_error("cannot read the flags of " + path);
      flags = immutable ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
      const int rc = ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
      ::close(fd);
      if (rc != 0) throw std::runtime_error("cannot set the flags of " + path);
    }
  }
  std::vector<std::string> paths_;
  bool released_ = false;
};

std::uint64_t counter(const Daemon& d, const std::string& name) {
  return d.get("/api/v1/status")->getObject("counters")->getValue<std::uint64_t>(name);
}

std::string health_status(const Daemon& d) {
  return d.get("/api/v1/status")->getObject("health")->getValue<std::string>("status");
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// While the store refuses writes: a container's setns, reboot and
// open_by_handle_at attempts are detected and exported, and held, not stored.
void expect_exported_while_held(Daemon& daemon, RuncContainer& ctr, const std::string& jsonl) {
  for (const std::string attempt : {"setns", "reboot", "open_by_handle_at"}) ctr.run_helper(attempt);
  BOOST_TEST(eventually([&] {
    const auto text = read_all(jsonl);
    return text.find("\"setns\"") != std::string::npos && text.find("\"reboot\"") != std::string::npos &&
           text.find("\"open_by_handle_at\"") != std::string::npos;
  }, kDeadline), read_all(jsonl));
  BOOST_TEST(daemon.alarms("subtype=setns").empty());
}

// Once the store takes writes again: health is ok and every held alarm is
// stored, none dropped.
void expect_held_alarms_written(Daemon& daemon) {
  BOOST_TEST(eventually([&] { return health_status(daemon) == "ok"; }, kDeadline), daemon.log());
  for (const std::string subtype : {"setns", "reboot", "open_by_handle_at"})
    BOOST_TEST(eventually([&] { return !daemon.alarms("subtype=" + subtype).empty(); }, kDeadline), subtype);
  BOOST_TEST(counter(daemon, "queue.alarms.dropped") == 0u);
  BOOST_TEST(counter(daemon, "store.held") == 0u);
  BOOST_TEST(daemon.log().find("takes writes again") != std::string::npos);
}

}  // namespace

// The database disk fills up mid-run: detection and export go on, the alarms
// are held in memory, /healthz and the status say degraded with the reason,
// and every held alarm is written once space returns.
BOOST_AUTO_TEST_CASE(a_full_database_disk_degrades_and_every_held_alarm_is_written_when_space_returns) {
  BOOST_REQUIRE(AuditState::read().pid == "0");
  SmallTmpfs disk("4m");
  TempDir logs;
  const std::string jsonl = logs.path() + "/alarms.jsonl";
  Daemon daemon("netlink", "[export]\njsonl = " + jsonl + "\naudit = no\n");
  // The database lives on the small disk; SQLite follows the link, so its WAL does too.
  BOOST_REQUIRE(::symlink((disk.path() + "/alarms.db").c_str(), daemon.database().c_str()) == 0);
  daemon.start();
  RuncContainer ctr("cshield-e2e-full-" + std::to_string(::getpid()));
  ctr.run_helper("ptrace");
  BOOST_REQUIRE(eventually([&] { return !daemon.alarms("subtype=ptrace").empty(); }, kDeadline));

  // Fill the disk to the last block.
  sh("dd if=/dev/zero of=" + sh_quote(disk.path() + "/filler") + " bs=64k 2>/dev/null");
  BOOST_REQUIRE(sh("df --output=avail " + sh_quote(disk.path()) + " | tail -1").output.find(" 0") !=
                std::string::npos);

  // Repeats of ptrace fold into the stored row: each one is a write the full
  // disk refuses (the WAL must grow).
  BOOST_REQUIRE(eventually([&] {
    ctr.run_helper("ptrace");
    return health_status(daemon) == "degraded";
  }, kDeadline));
  const auto healthz = sh("curl -s --max-time 2 --unix-socket " + sh_quote(daemon.socket()) + " http://cshield/healthz");
  BOOST_TEST(healthz.output.find("\"degraded\"") != std::string::npos, healthz.output);
  BOOST_TEST(healthz.output.find("full") != std::string::npos, healthz.output);  // SQLite: database or disk is full
  const auto reason = daemon.get("/api/v1/status")->getObject("health")->getArray("reasons")->getElement<std::string>(0);
  BOOST_TEST(reason.find("alarms held in memory") != std::string::npos, reason);
  BOOST_TEST(counter(daemon, "store.degraded") == 1u);

  // Detection and export go on while the disk is full.
  expect_exported_while_held(daemon, ctr, jsonl);
  BOOST_TEST(daemon.log().find("the alarm store refuses writes") != std::string::npos);

  // Space returns: everything held is written, health is ok again.
  BOOST_REQUIRE(::unlink((disk.path() + "/filler").c_str()) == 0);
  expect_held_alarms_written(daemon);
  BOOST_TEST(daemon.stop() == 0);
}

// The database stops taking writes while cshieldd runs (see WritesRefused):
// the alarms raised meanwhile are held and exported, /healthz and the status
// say degraded with SQLite's reason, and once the files take writes again
// every held alarm is in the store.
BOOST_AUTO_TEST_CASE(a_read_only_database_degrades_and_every_held_alarm_is_written_when_it_is_writable_again) {
  BOOST_REQUIRE(AuditState::read().pid == "0");
  TempDir logs;
  const std::string jsonl = logs.path() + "/alarms.jsonl";
  Daemon daemon("netlink", "[export]\njsonl = " + jsonl + "\naudit = no\n");
  daemon.start();
  RuncContainer ctr("cshield-e2e-ro-" + std::to_string(::getpid()));
  ctr.run_helper("ptrace");
  BOOST_REQUIRE(eventually([&] { return !daemon.alarms("subtype=ptrace").empty(); }, kDeadline));
  BOOST_REQUIRE(sh("stat -f -c %T " + sh_quote(daemon.database())).output.find("ext2/ext3") != std::string::npos);

  WritesRefused read_only({daemon.database(), daemon.database() + "-wal"});
  BOOST_REQUIRE(eventually([&] {
    ctr.run_helper("ptrace");  // a repeat: folding it into the stored row is a write
    return health_status(daemon) == "degraded";
  }, kDeadline));
  const auto healthz = sh("curl -s --max-time 2 --unix-socket " + sh_quote(daemon.socket()) + " http://cshield/healthz");
  BOOST_TEST(healthz.output.find("\"degraded\"") != std::string::npos, healthz.output);
  BOOST_TEST(healthz.output.find("disk I/O error") != std::string::npos, healthz.output);
  const auto reason = daemon.get("/api/v1/status")->getObject("health")->getArray("reasons")->getElement<std::string>(0);
  BOOST_TEST(reason.find("the alarm store refuses writes") != std::string::npos, reason);
  BOOST_TEST(reason.find("alarms held in memory") != std::string::npos, reason);

  expect_exported_while_held(daemon, ctr, jsonl);

  read_only.release();
  expect_held_alarms_written(daemon);
  BOOST_TEST(daemon.stop() == 0);
}

// A storm beyond a tiny kernel backlog (64 records, no waiting): the kernel's
// lost counter grows; cshieldd reports it as a counter and raises a
// host-level audit_tampering/events_lost alarm, stored and exported.
BOOST_AUTO_TEST_CASE(a_kernel_backlog_overflow_is_counted_and_raised_as_an_alarm_of_its_own) {
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  Daemon daemon("netlink", "[audit]\nbacklog_limit = 64\nbacklog_wait_time = 0\n");
  daemon.start();
  BOOST_REQUIRE(daemon.get("/api/v1/status")->getObject("kernel")->getValue<int>("backlog_limit") == 64);
  BOOST_REQUIRE(daemon.get("/api/v1/status")->getObject("kernel")->getValue<int>("backlog_wait_time") == 0);
  RuncContainer ctr("cshield-e2e-lost-" + std::to_string(::getpid()));
  // Beyond capacity: on two cores cshieldd keeps up with one storming
  // process, so it is paused (SIGSTOP, as a descheduled daemon on a busy
  // host) while the storm runs; its socket fills, kauditd's backlog overflows.
  daemon.signal(SIGSTOP);
  ctr.run_helper("ptrace_storm:100000");
  daemon.signal(SIGCONT);
  BOOST_REQUIRE(eventually([&] { return counter(daemon, "kernel.lost_while_running") > 0; }, kDeadline));
  std::vector<Object::Ptr> lost;
  BOOST_REQUIRE(eventually([&] { return !(lost = daemon.alarms("type=audit_tampering&subtype=events_lost")).empty(); },
                           kDeadline));
  const auto a = lost.front();
  BOOST_TEST(a->getValue<std::string>("severity") == "high");
  BOOST_TEST(a->isNull("container"));
  const auto evidence = a->getObject("evidence");
  BOOST_TEST(evidence->getValue<std::uint64_t>("lost") > 0u);
  BOOST_TEST(evidence->getValue<int>("backlog_limit") == 64);
  BOOST_TEST(counter(daemon, "alarms.events_lost") >= 1u);
  BOOST_TEST(daemon.log().find("audit_tampering/events_lost") != std::string::npos);
  // The storm itself is still detected.
  BOOST_TEST(eventually([&] { return !daemon.alarms("subtype=ptrace").empty(); }, kDeadline), daemon.log());
  BOOST_TEST(daemon.stop() == 0);
  BOOST_TEST(AuditState::read().backlog_limit == before.backlog_limit);
}

// auditd started while cshieldd is the audit daemon: the kernel refuses it
// but tells cshieldd, which steps aside (unregisters, reads beside it in
// multicast mode, says so in status and log); auditd started again then
// owns the audit pid, and detection goes on with cshieldd's rules.
BOOST_AUTO_TEST_CASE(an_auditd_started_later_gets_the_audit_pid_and_cshieldd_reads_beside_it) {
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  Daemon daemon("netlink");
  daemon.start();
  RuncContainer ctr("cshield-e2e-takeover-" + std::to_string(::getpid()));
  ctr.run_helper("ptrace");
  BOOST_REQUIRE(eventually([&] { return !daemon.alarms("subtype=ptrace").empty(); }, kDeadline));
  const auto own_pid = daemon.get("/api/v1/status")->getObject("kernel")->getValue<std::uint32_t>("pid");
  BOOST_REQUIRE(own_pid != 0u);
  {
    Auditd refused;  // the kernel answers EEXIST and sends cshieldd AUDIT_REPLACE
    BOOST_TEST(eventually([&] { return daemon.get("/api/v1/status")->getValue<std::string>("mode") == "multicast"; },
                          kDeadline), daemon.log());
    BOOST_TEST(eventually([] { return AuditState::read().pid == "0"; }, kDeadline));
    // The refused auditd leaves (it cannot register); its destructor must
    // not remove cshieldd's rules before the second one starts.
  }
  const auto status = daemon.get("/api/v1/status");
  BOOST_REQUIRE(!status->isNull("mode_change"));
  const auto reason = status->getObject("mode_change")->getValue<std::string>("reason");
  BOOST_TEST(reason.find("asked to be the audit daemon") != std::string::npos, reason);
  BOOST_TEST(daemon.log().find("stepped aside") != std::string::npos, daemon.log());

  // The rules the first auditd's cleanup removed are loaded again by a reload.
  daemon.signal(SIGHUP);
  BOOST_REQUIRE(eventually([] { return !AuditState::read().cshield_rules().empty(); }, kDeadline));
  Auditd auditd;  // now it can register
  BOOST_TEST(eventually([&] {
    return daemon.get("/api/v1/status")->getObject("kernel")->getValue<std::uint32_t>("pid") ==
           static_cast<std::uint32_t>(auditd.pid());
  }, kDeadline));
  ctr.run_helper("setns");
  BOOST_TEST(eventually([&] { return !daemon.alarms("subtype=setns").empty(); }, kDeadline), daemon.log());
  BOOST_TEST(daemon.get("/api/v1/status")->getValue<bool>("reader_running"));
  auditd.stop();
  BOOST_TEST(daemon.stop() == 0);
  sh("auditctl -D >/dev/null; auditctl -e " + before.enabled + " >/dev/null");
  BOOST_TEST(AuditState::read().cshield_rules().empty());
}
