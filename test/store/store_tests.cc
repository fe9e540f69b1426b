#define BOOST_TEST_MODULE store
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "store/schema_migrations.h"
#include "store/schema_setup.h"
#include "store/sqlite_store.h"
#include "support/store_options.h"

using namespace cshield;
using cshield::testing::no_limits;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kT0 = 1764175801000;  // 2025-11-26T16:50:01Z
constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kDay = 24 * 60 * kMinute;
const std::string kIdA = "aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111";
const std::string kIdB = "bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222";

// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path dir;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cshield-store-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name = "alarms.db") const { return (dir / name).string(); }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs one query on a separate raw connection and returns the first column
// of the first row as text ("" when no row).
std::string query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  BOOST_REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK,
                        sqlite3_errmsg(db));
  std::string out;
  const int rc = sqlite3_step(st);
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_ROW || rc == SQLITE_DONE, sqlite3_errmsg(db));
  if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

ContainerInfo container_info(const std::string& id, const std::string& name,
                             const std::string& image = "nginx:1.27") {
  ContainerInfo c;
  c.id = id;
  c.runtime = "docker";
  c.name = name;
  c.image = image;
  return c;
}

Alarm syscall_alarm(const std::string& container_id, std::int64_t t,
                    const std::string& syscall = "ptrace") {
  Alarm a = make_alarm("high_risk_syscall", syscall, syscall);
  a.first_seen_ms = a.last_seen_ms = t;
  a.container = container_info(container_id, container_id == kIdA ? "web-1" : "db-1");
  a.process.pid = 4242;
  a.process.exe = "/usr/bin/strace";
  a.process.comm = "strace";
  a.syscall = syscall;
  a.audit_serial = 100;
  a.audit_time_ms = t;
  return a;
}

Alarm file_alarm(const std::string& container_id, std::int64_t t, const std::string& path) {
  Alarm a = make_alarm("file_escape", "host_file", path);
  a.first_seen_ms = a.last_seen_ms = t;
  a.container = container_info(container_id, "web-1");
  a.process.exe = "/bin/cat";
  a.path = path;
  return a;
}

std::vector<std::int64_t> ids_of(const AlarmPage& p) {
  std::vector<std::int64_t> ids;
  for (const auto& a : p.items) ids.push_back(a.id);
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_CASE(embedded_migrations_are_the_schema_files) {
  const auto migrations = schema_migrations();
  std::set<std::string> on_disk;
  for (const auto& e : fs::directory_iterator(fs::path(CSHIELD_SOURCE_DIR) / "schema"))
    if (e.path().extension() == ".sql") on_disk.insert(e.path().filename().string());
  BOOST_REQUIRE(migrations.size() == on_disk.size());
  int expected = 1;
  for (const auto& m : migrations) {
    BOOST_TEST(m.version == expected++);
    BOOST_TEST(on_disk.count(m.file) == 1u);
    BOOST_TEST(std::string(m.sql) ==
               read_bytes((fs::path(CSHIELD_SOURCE_DIR) / "schema" / m.file).string()));
  }
  BOOST_TEST(known_schema_version() == migrations.back().version);
}

BOOST_AUTO_TEST_CASE(migrations_applied_once_and_idempotent_on_reopen) {
  TempDir tmp;
  const auto path = tmp.file();
  { SqliteStore s(path, {}); }
  const std::string version = std::to_string(known_schema_version());
  BOOST_TEST(query(path, "SELECT max(version) FROM schema_version") == version);
  BOOST_TEST(query(path, "SELECT count(*) FROM schema_version") == version);
  const auto applied = query(path, "SELECT applied_ms FROM schema_version WHERE version = 1");
  BOOST_TEST(query(path, "PRAGMA journal_mode") == "wal");
  {
    SqliteStore s(path, {});
    s.write({syscall_alarm(kIdA, kT0)});
  }
  { SqliteStore s(path, {}); BOOST_TEST(s.alarm_count() == 1); }
  BOOST_TEST(query(path, "SELECT count(*) FROM schema_version") == version);
  BOOST_TEST(query(path, "SELECT applied_ms FROM schema_version WHERE version = 1") == applied);
}

BOOST_AUTO_TEST_CASE(foreign_sqlite_database_refused_and_unchanged) {
  TempDir tmp;
  const auto path = tmp.file("other.db");
  {
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(db, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')",
                               nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  const auto before = read_bytes(path);
  try {
    SqliteStore s(path, {});
    BOOST_FAIL("a foreign database was opened");
  } catch (const StoreError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find(path) != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("another program") != std::string::npos);
  }
  BOOST_TEST(read_bytes(path) == before);
  BOOST_TEST(!fs::exists(path + "-wal"));
}

BOOST_AUTO_TEST_CASE(non_sqlite_file_refused_and_unchanged) {
  TempDir tmp;
  const auto path = tmp.file("alarms.db");
  fs::copy_file(fs::path(CSHIELD_SOURCE_DIR) / "test/data/store/not_a_database.txt", path);
  const auto before = read_bytes(path);
  BOOST_REQUIRE(!before.empty());
  for (bool read_only : {false, true}) {
    StoreOptions o;
    o.read_only = read_only;
    try {
      SqliteStore s(path, o);
      BOOST_FAIL("a text file was opened as a database");
    } catch (const StoreError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(std::string(e.what()).find(path) != std::string::npos);
      BOOST_TEST(std::string(e.what()).find("not a SQLite database") != std::string::npos);
    }
    BOOST_TEST(read_bytes(path) == before);
  }
  BOOST_TEST(!fs::exists(path + "-wal"));
  BOOST_TEST(!fs::exists(path + "-journal"));
}

BOOST_AUTO_TEST_CASE(newer_schema_refused_and_unchanged) {
  TempDir tmp;
  const auto path = tmp.file();
  { SqliteStore s(path, {}); }
  {
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(db,
                               "INSERT INTO schema_version VALUES (9999, '9999_future.sql', 0);"
                               "PRAGMA wal_checkpoint(TRUNCATE)",
                               nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  const auto before = read_bytes(path);
  BOOST_CHECK_EXCEPTION(SqliteStore(path, {}), StoreError, [&](const StoreError& e) {
    const std::string what = e.what();
    return what.find(path) != std::string::npos && what.find("newer") != std::string::npos;
  });
  BOOST_TEST(read_bytes(path) == before);
}

BOOST_AUTO_TEST_CASE(creates_the_file_but_not_its_directory) {
  TempDir tmp;
  const auto missing_dir = tmp.dir / "no-such-dir";
  BOOST_CHECK_THROW(SqliteStore((missing_dir / "alarms.db").string(), {}), StoreError);
  BOOST_TEST(!fs::exists(missing_dir));
  StoreOptions ro;
  ro.read_only = true;
  BOOST_CHECK_THROW(SqliteStore(tmp.file("absent.db"), ro), StoreError);
  BOOST_TEST(!fs::exists(tmp.file("absent.db")));
}

BOOST_AUTO_TEST_CASE(repeats_fold_into_one_row) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  const auto first = s.write({syscall_alarm(kIdA, kT0)});
  Alarm repeat = syscall_alarm(kIdA, kT0 + 5 * kMinute);
  repeat.count = 3;
  const auto ids = s.write({repeat, syscall_alarm(kIdA, kT0 + 6 * kMinute)});
  BOOST_REQUIRE(ids.size() == 2u);
  BOOST_TEST(ids[0] == first[0]);
  BOOST_TEST(ids[1] == first[0]);
  const auto row = s.get(first[0]);
  BOOST_REQUIRE(row);
  BOOST_TEST(row->count == 5);
  BOOST_TEST(row->first_seen_ms == kT0);
  BOOST_TEST(row->last_seen_ms == kT0 + 6 * kMinute);
  BOOST_TEST(s.alarm_count() == 1);

  // An older repeat within the window folds without moving last_seen back.
  BOOST_TEST(s.write({syscall_alarm(kIdA, kT0 + kMinute)})[0] == first[0]);
  BOOST_TEST(s.get(first[0])->last_seen_ms == kT0 + 6 * kMinute);
  BOOST_TEST(s.get(first[0])->count == 6);
}

BOOST_AUTO_TEST_CASE(the_node_that_raised_an_alarm_is_kept) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  Alarm named = syscall_alarm(kIdA, kT0);
  named.host = "worker-7";
  const auto ids = s.write({named, syscall_alarm(kIdB, kT0)});
  BOOST_TEST(s.get(ids[0])->host == "worker-7");
  BOOST_TEST(s.get(ids[1])->host == "");
}

BOOST_AUTO_TEST_CASE(different_fold_keys_do_not_fold) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  const auto base = s.write({syscall_alarm(kIdA, kT0)})[0];
  Alarm other_exe = syscall_alarm(kIdA, kT0);
  other_exe.process.exe = "/usr/bin/gdb";
  Alarm host = syscall_alarm(kIdA, kT0);
  host.container.reset();
  const auto ids = s.write({syscall_alarm(kIdB, kT0), other_exe, syscall_alarm(kIdA, kT0, "setns"),
                            file_alarm(kIdA, kT0, "/etc/shadow"), file_alarm(kIdA, kT0, "/etc/sudoers"),
                            host});
  std::set<std::int64_t> distinct(ids.begin(), ids.end());
  distinct.insert(base);
  BOOST_TEST(distinct.size() == 7u);
  BOOST_TEST(s.alarm_count() == 7);
}

BOOST_AUTO_TEST_CASE(handled_rows_and_old_rows_do_not_absorb) {
  TempDir tmp;
  StoreOptions o = no_limits();
  o.fold_window_ms = 10 * kMinute;
  SqliteStore s(tmp.file(), o);
  const auto handled = s.write({syscall_alarm(kIdA, kT0)})[0];
  BOOST_REQUIRE(s.update_status(handled, "handled", std::nullopt));
  const auto fresh = s.write({syscall_alarm(kIdA, kT0 + kMinute)})[0];
  BOOST_TEST(fresh != handled);
  BOOST_TEST(s.get(handled)->count == 1);

  const auto later = s.write({syscall_alarm(kIdA, kT0 + kMinute + 10 * kMinute + 1)})[0];
  BOOST_TEST(later != fresh);
  BOOST_TEST(s.get(fresh)->count == 1);
  // Exactly at the window's edge still folds.
  BOOST_TEST(s.write({syscall_alarm(kIdA, kT0 + 21 * kMinute + 1)})[0] == later);
  BOOST_TEST(s.alarm_count() == 3);
}

BOOST_AUTO_TEST_CASE(every_filter) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  Alarm a1 = syscall_alarm(kIdA, kT0);                           // web-1, nginx, high
  Alarm a2 = file_alarm(kIdA, kT0 + kMinute, "/etc/shadow");       // web-1, file_escape
  Alarm a3 = syscall_alarm(kIdB, kT0 + 2 * kMinute, "setns");     // db-1
  a3.container->image = "postgres:16";
  Alarm a4 = make_alarm("malicious_program", "miner", "xmrig");
  a4.first_seen_ms = kT0 + 3 * kMinute;
  a4.last_seen_ms = kT0 + 4 * kMinute;
  a4.container = container_info(kIdB, "db-1", "postgres:16");
  const auto ids = s.write({a1, a2, a3, a4});
  BOOST_REQUIRE(s.update_status(ids[1], "ignored", std::nullopt));

  const auto run = [&](AlarmQuery q) { return ids_of(s.list(q)); };
  using V = std::vector<std::int64_t>;
  AlarmQuery q;
  BOOST_TEST(run(q) == (V{ids[3], ids[2], ids[1], ids[0]}));
  q = {}; q.type = "high_risk_syscall";
  BOOST_TEST(run(q) == (V{ids[2], ids[0]}));
  q = {}; q.subtype = "setns";
  BOOST_TEST(run(q) == (V{ids[2]}));
  q = {}; q.severity = "critical";
  BOOST_TEST(run(q) == (V{ids[3]}));
  q = {}; q.status = "ignored";
  BOOST_TEST(run(q) == (V{ids[1]}));
  q = {}; q.status = "unhandled";
  BOOST_TEST(run(q) == (V{ids[3], ids[2], ids[0]}));
  q = {}; q.image = "postgres:16";
  BOOST_TEST(run(q) == (V{ids[3], ids[2]}));
  q = {}; q.image = "postgres";
  BOOST_TEST(run(q).empty());
  q = {}; q.since_ms = kT0 + 2 * kMinute;  // on last_seen
  BOOST_TEST(run(q) == (V{ids[3], ids[2]}));
  q = {}; q.until_ms = kT0 + 3 * kMinute;  // on first_seen: a4 began then
  BOOST_TEST(run(q) == (V{ids[3], ids[2], ids[1], ids[0]}));
  q = {}; q.until_ms = kT0 + kMinute;
  BOOST_TEST(run(q) == (V{ids[1], ids[0]}));
  q = {}; q.since_ms = kT0 + 4 * kMinute; q.until_ms = kT0 + 4 * kMinute;
  BOOST_TEST(run(q) == (V{ids[3]}));
  q = {}; q.type = "high_risk_syscall"; q.image = "nginx:1.27";
  BOOST_TEST(run(q) == (V{ids[0]}));
}

// since without until takes its rows from the last_seen index while they are
// few (under 1000) and walks ids backwards otherwise: the same answers either
// way, a repeat folded into an old row included (its last_seen moved, its id did not).
BOOST_AUTO_TEST_CASE(since_alone_answers_alike_with_few_and_many_rows_seen_since) {
  TempDir tmp;
  StoreOptions options = no_limits();
  options.fold_window_ms = 2000 * kMinute;
  SqliteStore s(tmp.file(), options);
  std::vector<Alarm> batch;
  for (int i = 0; i < 1500; ++i) batch.push_back(file_alarm(kIdA, kT0 + i * kMinute, "/etc/f" + std::to_string(i)));
  const auto ids = s.write(batch);
  Alarm repeat = batch[3];  // folds into the row of ids[3], seen again late
  repeat.first_seen_ms = repeat.last_seen_ms = kT0 + 1499 * kMinute + 1;
  BOOST_REQUIRE(s.write({repeat}).at(0) == ids[3]);
  using V = std::vector<std::int64_t>;
  for (const int first : {1490, 10}) {  // 11 rows seen since, then 1491
    BOOST_TEST_CONTEXT("since minute " << first) {
      AlarmQuery q;
      q.since_ms = kT0 + first * kMinute;
      q.limit = 5;
      AlarmPage page = s.list(q);
      BOOST_TEST(ids_of(page) == (V{ids[1499], ids[1498], ids[1497], ids[1496], ids[1495]}));
      q.limit = 1000;
      q.before_id = ids[first + 1];
      page = s.list(q);
      BOOST_TEST(ids_of(page) == (V{ids[first], ids[3]}));  // the folded row, by its old id
      q.before_id.reset();
      q.type = "high_risk_syscall";  // nothing of it: the empty page a long-poll waits on
      BOOST_TEST(s.list(q).items.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(container_filter_by_id_prefix_and_name) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  const auto ids = s.write({syscall_alarm(kIdA, kT0), syscall_alarm(kIdB, kT0 + 1)});
  using V = std::vector<std::int64_t>;
  const auto by = [&](const std::string& c) {
    AlarmQuery q;
    q.container = c;
    return ids_of(s.list(q));
  };
  BOOST_TEST(by(kIdA) == (V{ids[0]}));
  BOOST_TEST(by(kIdA.substr(0, 12)) == (V{ids[0]}));
  BOOST_TEST(by(kIdB.substr(0, 20)) == (V{ids[1]}));
  BOOST_TEST(by(kIdA.substr(0, 11)).empty());  // too short for a prefix
  BOOST_TEST(by("web-1") == (V{ids[0]}));
  BOOST_TEST(by("db-1") == (V{ids[1]}));
  BOOST_TEST(by("web").empty());
  BOOST_TEST(by(kIdA + "0").empty());
}

// The container filter matches by id or by name (two index walks merged by
// SqliteStore::list): pages in id order, an alarm matching both once, the
// other filters and the cursor applied to both.
BOOST_AUTO_TEST_CASE(container_filter_pages_matches_by_id_and_by_name) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  std::vector<Alarm> batch;
  for (int i = 0; i < 24; ++i) {
    Alarm a = i % 4 == 3 ? file_alarm(kIdA, kT0 + i, "/etc/f" + std::to_string(i)) : syscall_alarm(kIdA, kT0 + i, "sys" + std::to_string(i));
    if (i % 4 == 0) a.container = container_info("web-1", "other");   // by id
    if (i % 4 == 1) a.container = container_info(kIdB, "web-1");      // by name
    if (i % 4 == 2) a.container = container_info("web-1", "web-1");    // both
    if (i % 4 == 3) a.container = container_info("web-1", "web-1");    // both, other type
    if (i % 6 == 5) a.container = container_info(kIdB, "db-1");       // neither
    batch.push_back(a);
  }
  const auto ids = s.write(batch);
  std::vector<std::int64_t> want;
  for (int i = 23; i >= 0; --i)
    if (i % 6 != 5 && i % 4 != 3 && i >= 2) want.push_back(ids[static_cast<std::size_t>(i)]);

  AlarmQuery q;
  q.container = "web-1";
  q.type = "high_risk_syscall";
  q.since_ms = kT0 + 2;
  q.limit = 4;
  std::vector<std::int64_t> seen;
  for (int pages = 0;; ++pages) {
    BOOST_REQUIRE(pages < 10);
    const auto page = s.list(q);
    for (const auto& a : page.items) seen.push_back(a.id);
    if (!page.next_before_id) break;
    q.before_id = page.next_before_id;
  }
  BOOST_TEST(seen == want);
}

BOOST_AUTO_TEST_CASE(cursor_pages_without_duplicates_or_gaps) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  std::vector<Alarm> batch;
  for (int i = 0; i < 25; ++i) batch.push_back(file_alarm(kIdA, kT0 + i, "/etc/f" + std::to_string(i)));
  auto written = s.write(batch);
  std::sort(written.rbegin(), written.rend());

  std::vector<std::int64_t> seen;
  AlarmQuery q;
  q.limit = 10;
  int pages = 0;
  for (;;) {
    const auto page = s.list(q);
    ++pages;
    for (const auto& a : page.items) seen.push_back(a.id);
    if (!page.next_before_id) break;
    BOOST_TEST(page.items.size() == 10u);
    BOOST_TEST(*page.next_before_id == page.items.back().id);
    q.before_id = page.next_before_id;
    BOOST_REQUIRE(pages < 10);
  }
  BOOST_TEST(pages == 3);
  BOOST_TEST(seen == written);

  // An exactly full last page says there is nothing more.
  AlarmQuery all;
  all.limit = 25;
  BOOST_TEST(!s.list(all).next_before_id);
  all.limit = 0;  // clamped to 1
  BOOST_TEST(s.list(all).items.size() == 1u);
  all.limit = 5000;  // clamped to 1000
  BOOST_TEST(s.list(all).items.size() == 25u);
}

BOOST_AUTO_TEST_CASE(summary_counts) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  const auto ids = s.write({syscall_alarm(kIdA, kT0), syscall_alarm(kIdB, kT0 + kMinute),
                            file_alarm(kIdA, kT0 + 2 * kMinute, "/etc/shadow")});
  s.update_status(ids[0], "handled", std::string("checked"));
  const auto all = s.summary(std::nullopt, std::nullopt);
  BOOST_TEST(all.total == 3);
  BOOST_TEST(all.by_type.at("high_risk_syscall") == 2);
  BOOST_TEST(all.by_type.at("file_escape") == 1);
  BOOST_TEST(all.by_severity.at("high") == 3);
  BOOST_TEST(all.by_status.at("handled") == 1);
  BOOST_TEST(all.by_status.at("unhandled") == 2);
  const auto late = s.summary(kT0 + kMinute, std::nullopt);
  BOOST_TEST(late.total == 2);
  BOOST_TEST(late.by_status.count("handled") == 0u);
  const auto early = s.summary(std::nullopt, kT0);
  BOOST_TEST(early.total == 1);
  BOOST_TEST(early.by_type.at("high_risk_syscall") == 1);
  // A period covering everything counts as all time does (the two are computed differently).
  const auto span = s.summary(kT0 - kMinute, kT0 + 10 * kMinute);
  BOOST_TEST(span.total == all.total);
  BOOST_TEST((span.by_type == all.by_type));
  BOOST_TEST((span.by_severity == all.by_severity));
  BOOST_TEST((span.by_status == all.by_status));
}

BOOST_AUTO_TEST_CASE(update_status_and_note) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  const auto id = s.write({syscall_alarm(kIdA, kT0)})[0];
  auto a = s.update_status(id, "handled", std::string("was the admin"));
  BOOST_REQUIRE(a);
  BOOST_TEST(a->status == "handled");
  BOOST_TEST(a->note == "was the admin");
  a = s.update_status(id, "ignored", std::nullopt);
  BOOST_TEST(a->status == "ignored");
  BOOST_TEST(a->note == "was the admin");
  a = s.update_status(id, "unhandled", std::string());
  BOOST_TEST(a->note == "");
  BOOST_CHECK_THROW(s.update_status(id, "closed", std::nullopt), std::invalid_argument);
  BOOST_CHECK_THROW(s.update_status(id, "", std::nullopt), std::invalid_argument);
  BOOST_TEST(s.get(id)->status == "unhandled");
  BOOST_TEST(!s.update_status(id + 100, "handled", std::nullopt));
  BOOST_TEST(!s.get(id + 100));
}

BOOST_AUTO_TEST_CASE(retention_by_age) {
  TempDir tmp;
  StoreOptions o = no_limits();
  o.retention_days = 30;
  SqliteStore s(tmp.file(), o);
  const std::int64_t now = kT0 + 100 * kDay;
  const auto ids = s.write({file_alarm(kIdA, now - 40 * kDay, "/a"),
                            file_alarm(kIdA, now - 30 * kDay - 1, "/b"),
                            file_alarm(kIdA, now - 30 * kDay, "/c"), file_alarm(kIdA, now, "/d")});
  BOOST_TEST(s.apply_retention(now) == 2);
  BOOST_TEST(!s.get(ids[0]));
  BOOST_TEST(!s.get(ids[1]));
  BOOST_TEST(s.get(ids[2]).has_value());
  BOOST_TEST(s.get(ids[3]).has_value());
  BOOST_TEST(s.apply_retention(now) == 0);
}

BOOST_AUTO_TEST_CASE(retention_by_count_keeps_the_newest) {
  TempDir tmp;
  StoreOptions o = no_limits();
  o.max_alarms = 3;
  SqliteStore s(tmp.file(), o);
  std::vector<Alarm> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(file_alarm(kIdA, kT0, "/f" + std::to_string(i)));
  const auto ids = s.write(batch);
  BOOST_TEST(s.apply_retention(kT0) == 2);
  BOOST_TEST(s.alarm_count() == 3);
  BOOST_TEST(ids_of(s.list({})) == (std::vector<std::int64_t>{ids[4], ids[3], ids[2]}));
  BOOST_TEST(s.apply_retention(kT0) == 0);
  // Ids are never reused after deletion.
  const auto next = s.write({file_alarm(kIdA, kT0, "/g")})[0];
  BOOST_TEST(next > ids[4]);
}

BOOST_AUTO_TEST_CASE(containers_are_recorded_with_counts_and_findings) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  ContainerInfo k = container_info(kIdB, "db-1", "postgres:16");
  k.runtime = "containerd";
  k.pod = "db-0";
  k.namespace_ = "prod";
  k.bundle = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + kIdB;
  s.upsert_container(k, kT0 - kMinute);

  Alarm startup = make_alarm("abnormal_startup", "startup", "");
  startup.first_seen_ms = startup.last_seen_ms = kT0;
  startup.container = container_info(kIdA, "web-1");
  startup.evidence_json = R"({"findings":["privileged:true","seccomp=unconfined"]})";
  s.write({startup, syscall_alarm(kIdA, kT0 + kMinute), syscall_alarm(kIdB, kT0 + 2 * kMinute),
           file_alarm(kIdA, kT0 + 3 * kMinute, "/etc/shadow")});

  const auto all = s.containers();
  BOOST_REQUIRE(all.size() == 2u);
  BOOST_TEST(all[0].info.id == kIdA);  // most recently seen first
  BOOST_TEST(all[0].findings_json == R"(["privileged:true","seccomp=unconfined"])");
  BOOST_TEST(all[0].first_seen_ms == kT0);
  BOOST_TEST(all[0].last_seen_ms == kT0 + 3 * kMinute);
  BOOST_TEST(all[0].alarm_counts.at("high_risk_syscall") == 1);
  BOOST_TEST(all[0].alarm_counts.at("file_escape") == 1);
  BOOST_TEST(all[0].alarm_counts.at("abnormal_startup") == 1);
  BOOST_TEST(!all[0].stopped_ms);

  const auto b = s.container("db-1");
  BOOST_REQUIRE(b);
  BOOST_TEST(b->info.id == kIdB);
  BOOST_TEST(b->info.runtime == "docker");  // refreshed by the alarm's container
  BOOST_TEST(*b->info.pod == "db-0");       // kept: the alarm had none
  BOOST_TEST(*b->info.namespace_ == "prod");
  BOOST_TEST(b->info.bundle == k.bundle);
  BOOST_TEST(b->first_seen_ms == kT0 - kMinute);
  BOOST_TEST(b->last_seen_ms == kT0 + 2 * kMinute);
  BOOST_TEST(b->findings_json == "[]");
  BOOST_TEST(b->alarm_counts.at("high_risk_syscall") == 1);
  BOOST_TEST(b->alarm_counts.size() == 1u);

  BOOST_TEST(s.container(kIdA)->info.name == "web-1");
  BOOST_TEST(s.container(kIdA.substr(0, 12))->info.id == kIdA);
  BOOST_TEST(!s.container(kIdA.substr(0, 8)));
  BOOST_TEST(!s.container("nope"));
}

BOOST_AUTO_TEST_CASE(every_alarm_field_round_trips) {
  TempDir tmp;
  SqliteStore s(tmp.file(), no_limits());
  Alarm a = make_alarm("vulnerability_escape", "dirty_cow", "Dirty COW");
  a.status = "unhandled";
  a.note = "note with 'quotes' and ünïcode";
  a.first_seen_ms = kT0;
  a.last_seen_ms = kT0 + 1234;
  a.count = 7;
  ContainerInfo c;
  c.id = kIdA;
  c.runtime = "containerd";
  c.name = "app";
  c.image = "registry.local/app:2";
  c.pod = "app-7d9";
  c.namespace_ = "prod";
  a.container = c;
  a.process = {4242, 4200, "/tmp/cow", "cow", "cow /etc/passwd", 1000, 0, 4294967295};
  a.syscall = "openat";
  a.path = "/proc/self/mem";
  a.evidence_json = R"({"flags":"O_RDWR","nested":{"list":[1,2,3]},"text":"a\"b"})";
  a.audit_serial = 18734;
  a.audit_time_ms = kT0 + 17;
  a.description = "opened /proc/self/mem for writing";

  Alarm host = make_alarm("high_risk_syscall", "bpf", "bpf");
  host.first_seen_ms = kT0;  // last_seen 0: falls back to first_seen
  host.container.reset();
  host.syscall = "bpf";

  Alarm no_pod = a;
  no_pod.container->id = kIdB;
  no_pod.container->pod.reset();
  no_pod.container->namespace_.reset();
  no_pod.path.reset();

  const auto ids = s.write({a, host, no_pod});
  const auto r = s.get(ids[0]);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->id == ids[0]);
  BOOST_TEST(r->type == a.type);
  BOOST_TEST(r->subtype == a.subtype);
  BOOST_TEST(r->category == a.category);
  BOOST_TEST(r->name == "Vulnerability escape: Dirty COW");
  BOOST_TEST(r->severity == a.severity);
  BOOST_TEST(r->status == a.status);
  BOOST_TEST(r->note == a.note);
  BOOST_TEST(r->first_seen_ms == a.first_seen_ms);
  BOOST_TEST(r->last_seen_ms == a.last_seen_ms);
  BOOST_TEST(r->count == a.count);
  BOOST_REQUIRE(r->container);
  BOOST_TEST(r->container->id == c.id);
  BOOST_TEST(r->container->runtime == c.runtime);
  BOOST_TEST(r->container->name == c.name);
  BOOST_TEST(r->container->image == c.image);
  BOOST_TEST(*r->container->pod == *c.pod);
  BOOST_TEST(*r->container->namespace_ == *c.namespace_);
  BOOST_TEST(r->process.pid == a.process.pid);
  BOOST_TEST(r->process.ppid == a.process.ppid);
  BOOST_TEST(r->process.exe == a.process.exe);
  BOOST_TEST(r->process.comm == a.process.comm);
  BOOST_TEST(r->process.cmdline == a.process.cmdline);
  BOOST_TEST(r->process.uid == a.process.uid);
  BOOST_TEST(r->process.euid == a.process.euid);
  BOOST_TEST(r->process.auid == a.process.auid);
  BOOST_TEST(r->syscall == a.syscall);
  BOOST_TEST(*r->path == *a.path);
  BOOST_TEST(r->evidence_json == a.evidence_json);
  BOOST_TEST(r->audit_serial == a.audit_serial);
  BOOST_TEST(r->audit_time_ms == a.audit_time_ms);
  BOOST_TEST(r->description == a.description);
  BOOST_TEST(r->fold_key() == a.fold_key());

  const auto h = s.get(ids[1]);
  BOOST_REQUIRE(h);
  BOOST_TEST(!h->container);
  BOOST_TEST(h->last_seen_ms == kT0);
  BOOST_TEST(!h->path);

  const auto n = s.get(ids[2]);
  BOOST_REQUIRE(n);
  BOOST_TEST(!n->container->pod);
  BOOST_TEST(!n->container->namespace_);
  BOOST_TEST(!n->path);
}

BOOST_AUTO_TEST_CASE(read_only_instance_reads_and_refuses_writes) {
  TempDir tmp;
  const auto path = tmp.file();
  SqliteStore writer(path, no_limits());
  writer.write({syscall_alarm(kIdA, kT0)});
  StoreOptions ro = no_limits();
  ro.read_only = true;
  SqliteStore reader(path, ro);
  BOOST_TEST(reader.alarm_count() == 1);
  BOOST_CHECK_THROW(reader.write({syscall_alarm(kIdB, kT0)}), StoreError);
  writer.write({syscall_alarm(kIdB, kT0)});
  BOOST_TEST(reader.alarm_count() == 2);
}

BOOST_AUTO_TEST_CASE(writer_and_reader_instances_work_concurrently) {
  TempDir tmp;
  const auto path = tmp.file();
  SqliteStore writer(path, no_limits());
  SqliteStore reader(path, no_limits());
  constexpr int kBatches = 40, kPerBatch = 25;
  std::atomic<bool> done{false};
  std::string writer_error;
  std::thread w([&] {
    try {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Alarm> batch;
        for (int i = 0; i < kPerBatch; ++i)
          batch.push_back(file_alarm(kIdA, kT0 + b, "/f" + std::to_string(b * kPerBatch + i)));
        writer.write(batch);
        if (b % 10 == 0) writer.apply_retention(kT0);
      }
    } catch (const std::exception& e) {
      writer_error = e.what();
    }
    done = true;
  });
  std::int64_t last = 0;
  int reads = 0;
  bool monotonic = true, whole_batches = true;
  while (!done || reads == 0) {
    const auto n = reader.alarm_count();
    monotonic = monotonic && n >= last;
    whole_batches = whole_batches && n % kPerBatch == 0;  // a batch is one transaction
    last = n;
    AlarmQuery q;
    q.limit = 5;
    reader.list(q);
    reader.summary(std::nullopt, std::nullopt);
    ++reads;
  }
  w.join();
  BOOST_TEST(writer_error == "");
  BOOST_TEST(monotonic);
  BOOST_TEST(whole_batches);
  BOOST_TEST(reader.alarm_count() == kBatches * kPerBatch);
  // The reader's own writes go through while the writer instance is open.
  const auto id = reader.list({}).items.front().id;
  BOOST_TEST(reader.update_status(id, "handled", std::nullopt)->status == "handled");
  BOOST_TEST(writer.get(id)->status == "handled");
  BOOST_TEST_MESSAGE("reads during the writes: " << reads);
}
