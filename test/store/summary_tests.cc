// The alarm summary from the hour counts (schema/006) against a direct
// grouping of the alarms table, through every way a row's key changes:
// inserts, folds moving last_seen across hours, status changes, deletes and
// retention, and periods whose edges fall inside hours or on them; and the
// alarm list of a period, which finds its rows through the hour counts.
#define BOOST_TEST_MODULE summary
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <limits>
#include <random>
#include <sstream>

#include "store/schema_migrations.h"
#include "store/schema_setup.h"
#include "store/sqlite_store.h"
#include "support/store_options.h"
#include "support/temp_dir.h"

using namespace cshield;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kHour = 60 * 60 * 1000;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kT0 = 1764175801000;  // 2025-11-26T16:50:01Z, inside an hour
const char* const kTypes[] = {"high_risk_syscall", "file_escape", "malicious_program"};
const char* const kSeverities[] = {"low", "medium", "high", "critical"};
const char* const kStatuses[] = {"unhandled", "handled", "ignored"};


// A raw connection to the same file, for the reference counts and for
// writes the store has no method for.
class Raw {
 public:
  explicit Raw(const std::string& path) { BOOST_REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK); }
  ~Raw() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << msg);
  }
  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE_MESSAGE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK, sqlite3_errmsg(db_));
    BOOST_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    const std::int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  // What the summary must be: the plain grouping over the period's rows.
  AlarmSummary reference(std::optional<std::int64_t> since, std::optional<std::int64_t> until) {
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db_,
                      "SELECT type, severity, status, count(*) FROM alarms "
                      "WHERE (?1 IS NULL OR last_seen_ms >= ?1) AND (?2 IS NULL OR first_seen_ms <= ?2) "
                      "GROUP BY 1, 2, 3",
                      -1, &st, nullptr) == SQLITE_OK);
    if (since) sqlite3_bind_int64(st, 1, *since);
    if (until) sqlite3_bind_int64(st, 2, *until);
    AlarmSummary s;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const std::int64_t n = sqlite3_column_int64(st, 3);
      s.by_type[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] += n;
      s.by_severity[reinterpret_cast<const char*>(sqlite3_column_text(st, 1))] += n;
      s.by_status[reinterpret_cast<const char*>(sqlite3_column_text(st, 2))] += n;
      s.total += n;
    }
    sqlite3_finalize(st);
    return s;
  }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

std::string describe(const AlarmSummary& s) {
  std::ostringstream o;
  o << "total " << s.total;
  for (const auto* m : {&s.by_type, &s.by_severity, &s.by_status})
    for (const auto& [k, n] : *m) o << " " << k << "=" << n;
  return o.str();
}

std::string describe(std::optional<std::int64_t> t) { return t ? std::to_string(*t) : "-"; }

// Both count tables of schema/006 are exactly the groupings of the alarms table.
void check_count_tables(Raw& raw) {
  const std::string grouped =
      "SELECT last_seen_ms - ((last_seen_ms % 3600000) + 3600000) % 3600000, "
      "first_seen_ms - ((first_seen_ms % 3600000) + 3600000) % 3600000, type, severity, status, count(*) "
      "FROM alarms GROUP BY 1, 2, 3, 4, 5";
  const std::string stored =
      "SELECT last_hour_ms, first_hour_ms, type, severity, status, alarms FROM alarm_hour_counts";
  BOOST_TEST(raw.integer("SELECT count(*) FROM (" + grouped + " EXCEPT " + stored + ")") == 0);
  BOOST_TEST(raw.integer("SELECT count(*) FROM (" + stored + " EXCEPT " + grouped + ")") == 0);
  // schema/008: each row's max_id bounds the ids of its alarms.
  BOOST_TEST(raw.integer(
                 "SELECT count(*) FROM alarms AS a JOIN alarm_hour_counts AS h "
                 "ON h.last_hour_ms = a.last_seen_ms - ((a.last_seen_ms % 3600000) + 3600000) % 3600000 "
                 "AND h.first_hour_ms = a.first_seen_ms - ((a.first_seen_ms % 3600000) + 3600000) % 3600000 "
                 "AND h.type = a.type AND h.severity = a.severity AND h.status = a.status WHERE a.id > h.max_id") == 0);
  const std::string by_container =
      "SELECT container_id, type, count(*) FROM alarms WHERE container_id IS NOT NULL GROUP BY 1, 2";
  const std::string stored_by_container = "SELECT container_id, type, alarms FROM alarm_container_counts";
  BOOST_TEST(raw.integer("SELECT count(*) FROM (" + by_container + " EXCEPT " + stored_by_container + ")") == 0);
  BOOST_TEST(raw.integer("SELECT count(*) FROM (" + stored_by_container + " EXCEPT " + by_container + ")") == 0);
}

// Bounds worth trying around time t: its hour's start, one ms either side of
// it, the hour's last ms, and t itself.
std::vector<std::int64_t> bounds_near(std::int64_t t) {
  const std::int64_t h = t - ((t % kHour) + kHour) % kHour;
  return {h, h - 1, h + 1, h + kHour - 1, t};
}

// The summary equals the reference for no bounds, each bound alone and
// `pairs` random periods (edges on hour starts, ends, inside hours; also
// until before since) over [from, to].
void check_periods(SqliteStore& store, Raw& raw, std::int64_t from, std::int64_t to, std::mt19937_64& rng,
                   int pairs = 60) {
  std::uniform_int_distribution<std::int64_t> in_span(from - kHour, to + kHour);
  const auto pick = [&]() -> std::optional<std::int64_t> {
    if (rng() % 8 == 0) return std::nullopt;
    const auto near = bounds_near(in_span(rng));
    return near[rng() % near.size()];
  };
  std::vector<std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>> periods = {
      {std::nullopt, std::nullopt}};
  for (int i = 0; i < pairs; ++i) periods.emplace_back(pick(), pick());
  for (const auto& [since, until] : periods) {
    const AlarmSummary got = store.summary(since, until), want = raw.reference(since, until);
    BOOST_TEST_CONTEXT("since " << describe(since) << " until " << describe(until)) {
      BOOST_TEST(describe(got) == describe(want));
      BOOST_TEST((got.by_type == want.by_type && got.by_severity == want.by_severity &&
                  got.by_status == want.by_status && got.total == want.total));
    }
  }
}

// The list of every period of check_periods' kind, page by page, holds
// exactly the rows the plain time range selects, newest first.
void check_period_lists(SqliteStore& store, Raw& raw, std::int64_t from, std::int64_t to, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::int64_t> in_span(from - kHour, to + kHour);
  for (int i = 0; i < 40; ++i) {
    const auto a = bounds_near(in_span(rng)), b = bounds_near(in_span(rng));
    AlarmQuery q;
    q.since_ms = a[rng() % a.size()];
    q.until_ms = i % 4 == 0 ? *q.since_ms + kHour * static_cast<std::int64_t>(rng() % 3) : b[rng() % b.size()];
    q.limit = 7;
    std::vector<std::int64_t> want, got;
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(raw.handle(),
                      "SELECT id FROM alarms WHERE last_seen_ms >= ?1 AND first_seen_ms <= ?2 ORDER BY id DESC",
                      -1, &st, nullptr) == SQLITE_OK);
    sqlite3_bind_int64(st, 1, *q.since_ms);
    sqlite3_bind_int64(st, 2, *q.until_ms);
    while (sqlite3_step(st) == SQLITE_ROW) want.push_back(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    for (;;) {
      const AlarmPage page = store.list(q);
      for (const auto& alarm : page.items) got.push_back(alarm.id);
      if (!page.next_before_id) break;
      q.before_id = page.next_before_id;
    }
    BOOST_TEST_CONTEXT("since " << describe(q.since_ms) << " until " << describe(q.until_ms)) {
      BOOST_TEST(got == want, boost::test_tools::per_element());
    }
  }
}

// A random alarm around t: one of a few fold keys (so that repeats fold and
// move last_seen across hours), random severity, first_seen up to 2 h before.
Alarm random_alarm(std::mt19937_64& rng, std::int64_t t) {
  Alarm a = make_alarm(kTypes[rng() % 3], "sub", "x");
  a.severity = kSeverities[rng() % 4];
  a.last_seen_ms = t;
  a.first_seen_ms = t - static_cast<std::int64_t>(rng() % 3 == 0 ? rng() % (2 * kHour) : 0);
  ContainerInfo c;
  c.id = "c" + std::to_string(rng() % 3);
  c.name = c.id;
  a.container = c;
  a.process.exe = "/bin/x" + std::to_string(rng() % 4);
  return a;
}

StoreOptions no_limits() {
  StoreOptions o = testing::no_limits();
  o.fold_window_ms = 30 * 60 * 1000;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(summary_equals_a_direct_grouping_through_every_write) {
  testing::TempDir tmp("cshield-summary");
  std::mt19937_64 rng(20251126);
  SqliteStore store((tmp / "alarms.db"), no_limits());
  Raw raw((tmp / "alarms.db"));
  const std::int64_t span = 12 * kHour;
  std::vector<std::int64_t> ids;

  // Inserts and folds: times mostly rising with some jitter back, so that
  // folds move last_seen (and with earlier first_seen, first_seen) across hours.
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<Alarm> alarms;
    for (int i = 0; i < 15; ++i) {
      const std::int64_t t = kT0 + (batch * span) / 40 + static_cast<std::int64_t>(rng() % (40 * 60 * 1000)) -
                             20 * 60 * 1000;
      alarms.push_back(random_alarm(rng, t));
    }
    for (const auto id : store.write(alarms)) ids.push_back(id);
  }
  BOOST_TEST_REQUIRE(store.alarm_count() < static_cast<std::int64_t>(ids.size()));  // some folded
  BOOST_TEST_REQUIRE(raw.integer("SELECT count(DISTINCT last_seen_ms / 3600000) FROM alarms") > 10);
  BOOST_TEST_REQUIRE(raw.integer("SELECT count(*) FROM alarms WHERE last_seen_ms / 3600000 != "
                                 "first_seen_ms / 3600000") > 10);
  check_count_tables(raw);
  check_periods(store, raw, kT0, kT0 + span, rng);

  // Status changes, back and forth; a fold after a change starts a new row.
  for (int i = 0; i < 150; ++i)
    store.update_status(ids[rng() % ids.size()], kStatuses[rng() % 3], std::nullopt);
  check_count_tables(raw);
  check_periods(store, raw, kT0, kT0 + span, rng);

  // Writes the store has no method for still keep the counts: a type or
  // severity change, a first_seen after last_seen, a plain DELETE.
  raw.exec("UPDATE alarms SET type = 'abnormal_process' WHERE id % 7 = 0");
  raw.exec("UPDATE alarms SET severity = 'critical', first_seen_ms = last_seen_ms + 5400000 WHERE id % 11 = 0");
  raw.exec("DELETE FROM alarms WHERE id % 13 = 0");
  raw.exec("UPDATE alarms SET container_id = 'c9' WHERE id % 17 = 0");
  raw.exec("UPDATE alarms SET container_id = NULL WHERE id % 19 = 0");
  raw.exec("UPDATE alarms SET container_id = 'c8' WHERE id % 19 = 0 AND id % 2 = 0");
  check_count_tables(raw);
  check_periods(store, raw, kT0, kT0 + span, rng);
  check_period_lists(store, raw, kT0, kT0 + span, rng);

  // Retention by age (a cut inside an hour) and by count.
  {
    StoreOptions o = no_limits();
    o.retention_days = 1;
    SqliteStore retaining((tmp / "alarms.db"), o);
    BOOST_TEST(retaining.apply_retention(kT0 + kDay + 3 * kHour + 17 * 60 * 1000) > 0);
  }
  check_count_tables(raw);
  check_periods(store, raw, kT0, kT0 + span, rng);
  {
    StoreOptions o = no_limits();
    o.max_alarms = 100;
    SqliteStore retaining((tmp / "alarms.db"), o);
    BOOST_TEST(retaining.apply_retention(kT0) > 0);
  }
  BOOST_TEST(store.alarm_count() == 100);
  check_count_tables(raw);
  check_periods(store, raw, kT0, kT0 + span, rng);

  // Everything gone: no key is left behind (a zero would show as a type).
  raw.exec("DELETE FROM alarms");
  BOOST_TEST(raw.integer("SELECT count(*) FROM alarm_hour_counts") == 0);
  BOOST_TEST(raw.integer("SELECT count(*) FROM alarm_container_counts") == 0);
  BOOST_TEST(store.summary(std::nullopt, std::nullopt).by_type.empty());
}

BOOST_AUTO_TEST_CASE(times_before_1970_and_far_bounds) {
  testing::TempDir tmp("cshield-summary");
  std::mt19937_64 rng(7);
  SqliteStore store((tmp / "alarms.db"), no_limits());
  Raw raw((tmp / "alarms.db"));
  std::vector<Alarm> alarms;
  for (const std::int64_t t : std::vector<std::int64_t>{-kHour - 1, -kHour, -1, 0, 1, kHour - 1, kHour, 3 * kHour + 5})
    alarms.push_back(random_alarm(rng, t));
  store.write(alarms);
  check_count_tables(raw);
  check_periods(store, raw, -2 * kHour, 4 * kHour, rng, 200);
  const std::int64_t far = std::numeric_limits<std::int64_t>::max();
  for (const auto& [since, until] :
       std::vector<std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>>{
           {-far, std::nullopt}, {std::nullopt, far}, {-far - 1, far}, {far, std::nullopt}, {-kHour, far}}) {
    BOOST_TEST(describe(store.summary(since, until)) == describe(raw.reference(since, until)));
  }
}

// A database of version 5 with alarms gets its hour counts on migration.
BOOST_AUTO_TEST_CASE(migration_counts_the_alarms_already_stored) {
  testing::TempDir tmp("cshield-summary");
  {
    Raw raw((tmp / "alarms.db"));
    raw.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, file TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
    for (const Migration& m : schema_migrations()) {
      if (m.version > 5) break;
      raw.exec(m.sql);
      raw.exec("INSERT INTO schema_version VALUES (" + std::to_string(m.version) + ", '" + m.file + "', 0)");
    }
    BOOST_TEST_REQUIRE(raw.integer("SELECT count(*) FROM sqlite_master WHERE name = 'alarm_hour_counts'") == 0);
    // 3000 rows over 3 days, some spanning hours, some before 1970; 2000 in containers.
    raw.exec(
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) "
        "INSERT INTO alarms (type, subtype, category, name, severity, status, first_seen_ms, last_seen_ms, "
        "pid, ppid, exe, comm, cmdline, uid, euid, auid, syscall, audit_serial, audit_time_ms, description, fold_key, container_id) "
        "SELECT CASE i % 3 WHEN 0 THEN 'file_escape' WHEN 1 THEN 'high_risk_syscall' ELSE 'malicious_program' END, "
        "'s', 'c', 'n', CASE i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'high' ELSE 'critical' END, "
        "CASE i % 5 WHEN 0 THEN 'handled' WHEN 1 THEN 'ignored' ELSE 'unhandled' END, "
        "t - (i % 7) * 1234567, t, 1, 1, '/x', 'x', 'x', 0, 0, 0, '', 0, t, '', 'k' || i, "
        "CASE WHEN i % 3 = 0 THEN NULL ELSE 'c' || (i % 5) END "
        "FROM (SELECT i, CASE WHEN i % 100 = 0 THEN -i * 1000 ELSE " + std::to_string(kT0) +
        " + i * 86400 END AS t FROM c)");
  }
  SqliteStore store((tmp / "alarms.db"), no_limits());
  Raw raw((tmp / "alarms.db"));
  BOOST_TEST(raw.integer("SELECT max(version) FROM schema_version") == known_schema_version());
  BOOST_TEST(raw.integer("SELECT sum(alarms) FROM alarm_hour_counts") == 3000);
  BOOST_TEST(raw.integer("SELECT sum(alarms) FROM alarm_container_counts") == 2000);
  check_count_tables(raw);
  std::mt19937_64 rng(5);
  check_periods(store, raw, kT0, kT0 + 3 * kDay, rng, 100);
  // And the triggers came with it.
  Alarm a = make_alarm("file_escape", "read", "x");
  a.first_seen_ms = a.last_seen_ms = kT0;
  store.write({a});
  check_count_tables(raw);
}
