// The alarm list of a closed period (since and until), which SqliteStore::list
// finds through the hour counts and a walk down by id from the period's
// newest candidate, against a plain reference query: page by page (items,
// order, page size, cursor), with random filters and random periods over
// random data whose ids do not follow time everywhere (alarms stored late,
// alarms first seen days before they were last seen, a first_seen after
// last_seen), so that the walk's short cut and its fallback are both taken.
#define BOOST_TEST_MODULE list_period
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "support/store_options.h"
#include "support/temp_dir.h"

using namespace cshield;

namespace {

constexpr std::int64_t kHour = 60 * 60 * 1000;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kT0 = 1764175801000;  // 2025-11-26T16:50:01Z, inside an hour
constexpr std::int64_t kSpan = 30 * kDay;
// file_escape is rare (1 in 50 alarms): pages of it rarely fill near the newest candidate.
const char* const kTypes[] = {"high_risk_syscall", "malicious_program", "abnormal_process", "file_escape"};
const char* const kSubtypes[] = {"a", "b", "c"};
const char* const kSeverities[] = {"low", "medium", "high", "critical"};
const char* const kStatuses[] = {"unhandled", "handled", "ignored"};
const std::string kIdPrefix = "0123456789ab";  // 12 characters: an id prefix to the store

std::string container_id(int i) { return kIdPrefix + std::to_string(i) + std::string(51, 'f'); }

// The reference: the page as the API defines it, by the plainest query.
class Reference {
 public:
  explicit Reference(const std::string& path) {
    BOOST_REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  }
  ~Reference() { sqlite3_close(db_); }

  // Up to limit + 1 ids (one more than a page: whether a next page exists).
  std::vector<std::int64_t> ids(const AlarmQuery& q, int limit) {
    std::string sql = "SELECT id FROM alarms WHERE 1";
    std::vector<std::string> texts;
    std::vector<std::int64_t> ints;
    const auto text = [&](const char* column, const std::optional<std::string>& v) {
      if (!v) return;
      sql += std::string(" AND ") + column + " = ?" + std::to_string(texts.size() + 1);
      texts.push_back(*v);
    };
    text("type", q.type);
    text("subtype", q.subtype);
    text("severity", q.severity);
    text("status", q.status);
    text("container_image", q.image);
    if (q.container) {
      const std::string n = std::to_string(texts.size() + 1);
      sql += q.container->size() >= 12
                 ? " AND (container_name = ?" + n + " OR substr(container_id, 1, length(?" + n + ")) = ?" + n + ")"
                 : " AND (container_name = ?" + n + " OR container_id = ?" + n + ")";
      texts.push_back(*q.container);
    }
    std::string tail = " AND last_seen_ms >= " + std::to_string(*q.since_ms) +
                       " AND first_seen_ms <= " + std::to_string(*q.until_ms);
    if (q.before_id) tail += " AND id < " + std::to_string(*q.before_id);
    sql += tail + " ORDER BY id DESC LIMIT " + std::to_string(limit + 1);
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE_MESSAGE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK, sqlite3_errmsg(db_));
    for (std::size_t i = 0; i < texts.size(); ++i)
      sqlite3_bind_text(st, static_cast<int>(i) + 1, texts[i].c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::int64_t> out;
    while (sqlite3_step(st) == SQLITE_ROW) out.push_back(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return out;
  }

  void exec(const std::string& sql) {
    sqlite3* rw = nullptr;
    BOOST_REQUIRE(sqlite3_open(sqlite3_db_filename(db_, "main"), &rw) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(rw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(rw);
  }

 private:
  sqlite3* db_ = nullptr;
};

// Alarms over 30 days, written in batches mostly in time order; 1 in 10 is
// stored late (a time up to 20 days back), 1 in 25 was first seen up to 10
// days before it was last seen. Distinct fold keys: nothing folds.
void fill(SqliteStore& store, std::mt19937_64& rng) {
  int key = 0;
  for (int batch = 0; batch < 60; ++batch) {
    std::vector<Alarm> alarms;
    for (int i = 0; i < 50; ++i) {
      std::int64_t t = kT0 + (batch * kSpan) / 60 + static_cast<std::int64_t>(rng() % (kSpan / 60));
      if (rng() % 10 == 0) t -= static_cast<std::int64_t>(rng() % (20 * kDay));
      const auto type = rng() % 50 == 0 ? kTypes[3] : kTypes[rng() % 3];
      Alarm a = make_alarm(type, kSubtypes[rng() % 3], "x");
      a.severity = kSeverities[rng() % 4];
      a.last_seen_ms = t;
      a.first_seen_ms = rng() % 25 == 0 ? t - static_cast<std::int64_t>(rng() % (10 * kDay)) : t;
      if (rng() % 8 != 0) {
        const int c = static_cast<int>(rng() % 6);
        ContainerInfo info;
        info.id = container_id(c);
        info.name = "web-" + std::to_string(c);
        info.image = "img:" + std::to_string(c % 3);
        a.container = info;
      }
      a.process.exe = "/bin/x" + std::to_string(key++);
      alarms.push_back(a);
    }
    store.write(alarms);
  }
}

template <typename T>
std::optional<T> maybe(std::mt19937_64& rng, unsigned one_in, T value) {
  if (rng() % one_in != 0) return std::nullopt;
  return value;
}

std::string describe(const AlarmQuery& q) {
  std::ostringstream o;
  o << "since " << *q.since_ms << " until " << *q.until_ms << " limit " << q.limit;
  for (const auto& [name, v] : {std::pair{"type", q.type}, {"subtype", q.subtype}, {"severity", q.severity},
                                {"status", q.status}, {"container", q.container}, {"image", q.image}})
    if (v) o << " " << name << "=" << *v;
  return o.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(period_pages_equal_a_plain_query_with_random_filters_and_cursors) {
  testing::TempDir tmp("cshield-list-period");
  std::mt19937_64 rng(20261127);
  SqliteStore store(tmp / "alarms.db", testing::no_limits());
  fill(store, rng);
  Reference ref(tmp / "alarms.db");
  // Status changes, and a first_seen after last_seen (only plain SQL writes that).
  for (int i = 0; i < 300; ++i)
    store.update_status(1 + static_cast<std::int64_t>(rng() % 3000), kStatuses[rng() % 3], std::nullopt);
  ref.exec("UPDATE alarms SET first_seen_ms = last_seen_ms + 7200000 WHERE id % 97 = 0");

  int pages = 0, multi_page_lists = 0, empty_lists = 0;
  for (int i = 0; i < 150; ++i) {
    AlarmQuery q;
    std::uniform_int_distribution<std::int64_t> in_span(kT0 - kDay, kT0 + kSpan + kDay);
    q.since_ms = in_span(rng);
    q.until_ms = i % 10 == 0 ? in_span(rng) : *q.since_ms + static_cast<std::int64_t>(rng() % (3 * kDay));
    const int limits[] = {1, 3, 7, 50};
    q.limit = limits[rng() % 4];
    q.type = maybe(rng, 3, std::string(kTypes[rng() % 4]));
    q.subtype = maybe(rng, 5, std::string(kSubtypes[rng() % 3]));
    q.severity = maybe(rng, 5, std::string(kSeverities[rng() % 4]));
    q.status = maybe(rng, 5, std::string(kStatuses[rng() % 3]));
    q.image = maybe(rng, 8, "img:" + std::to_string(rng() % 3));
    const std::string containers[] = {"web-" + std::to_string(rng() % 6), container_id(static_cast<int>(rng() % 6)),
                                      kIdPrefix};
    q.container = maybe(rng, 5, containers[rng() % 3]);
    BOOST_TEST_CONTEXT(describe(q)) {
      int page_count = 0;
      for (;;) {
        const AlarmPage page = store.list(q);
        auto want = ref.ids(q, q.limit);
        const bool more = want.size() > static_cast<std::size_t>(q.limit);
        if (more) want.pop_back();
        std::vector<std::int64_t> got;
        for (const auto& a : page.items) got.push_back(a.id);
        BOOST_TEST_CONTEXT("page " << page_count << " before " << (q.before_id ? *q.before_id : 0)) {
          BOOST_TEST(got == want, boost::test_tools::per_element());
          BOOST_TEST(page.next_before_id.has_value() == more);
          if (more && page.next_before_id) BOOST_TEST(*page.next_before_id == want.back());
        }
        ++pages;
        if (got.empty()) ++empty_lists;
        if (++page_count == 2) ++multi_page_lists;
        if (!page.next_before_id || got != want || page_count == 40) break;
        q.before_id = page.next_before_id;
      }
    }
  }
  BOOST_TEST_MESSAGE(pages << " pages compared, " << multi_page_lists << " lists of several pages, " << empty_lists
                           << " empty");
  // The random queries are not all trivial.
  BOOST_TEST(multi_page_lists > 30);
  BOOST_TEST(empty_lists < 100);
}
