#define BOOST_TEST_MODULE e2e_crash
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include "harness.h"

using namespace e2e;

namespace {

std::string integrity_check(const std::string& db) {
  sqlite3* h = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return result;
}

std::set<int> alarm_ids(const Daemon& d) {
  std::set<int> ids;
  for (const auto& a : d.alarms("")) ids.insert(a->getValue<int>("id"));
  return ids;
}

}  // namespace

// kill -9 during a run, restart: every alarm the API returned is still there,
// the database is intact, the daemon serves again within 2 seconds, cleans up
// the crashed run's rules, keeps detecting, and on stop restores the audit
// status the crashed run had found.
BOOST_AUTO_TEST_CASE(a_killed_daemon_restarts_with_every_alarm_and_restores_what_the_first_run_found) {
  const auto before = AuditState::read();
  BOOST_REQUIRE(before.pid == "0");
  Daemon daemon("netlink");
  daemon.start();
  RuncContainer ctr("cshield-e2e-crash-" + std::to_string(::getpid()));
  for (const std::string attempt : {"ptrace", "setns", "reboot", "read:/etc/shadow"}) ctr.run_helper(attempt);
  std::set<int> returned;
  BOOST_REQUIRE(eventually([&] { return (returned = alarm_ids(daemon)).size() >= 3; }, std::chrono::seconds(2)));

  daemon.kill_hard();
  BOOST_TEST(integrity_check(daemon.database()) == "ok");
  const auto crashed = AuditState::read();
  BOOST_TEST(!crashed.cshield_rules().empty());  // the crash left its rules behind

  const auto restart = std::chrono::steady_clock::now();
  daemon.start();
  const auto took = std::chrono::steady_clock::now() - restart;
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 2000);
  const auto ids = alarm_ids(daemon);
  for (int id : returned) BOOST_TEST(ids.count(id) == 1u, "alarm " << id << " lost");
  BOOST_TEST(daemon.log().find("did not stop cleanly") != std::string::npos);
  // The crashed run's rules were replaced, not doubled.
  const auto during = AuditState::read();
  BOOST_TEST(during.cshield_rules().size() == crashed.cshield_rules().size());

  // Still detecting.
  ctr.run_helper("open_by_handle_at");
  BOOST_TEST(eventually([&] { return !daemon.alarms("subtype=open_by_handle_at").empty(); }, std::chrono::seconds(2)));

  BOOST_TEST(daemon.stop() == 0);
  const auto after = AuditState::read();
  BOOST_TEST(after.pid == "0");
  BOOST_TEST(after.cshield_rules().empty());
  BOOST_TEST(after.enabled == before.enabled);
  BOOST_TEST(after.backlog_limit == before.backlog_limit);
  BOOST_TEST(after.backlog_wait_time == before.backlog_wait_time);
}
