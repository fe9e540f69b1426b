#include "store/alarm_summary.h"

#include <limits>
#include <string>
#include <vector>

namespace cshield {

namespace {

constexpr std::int64_t kHourMs = 60 * 60 * 1000;
// Bounds beyond +-2^60 ms (36 million years) are counted by the plain
// grouping, so that the hour arithmetic below never overflows.
constexpr std::int64_t kHourArithmeticLimit = std::int64_t{1} << 60;
// An absent bound: a range that every time falls into, so that the indexes
// still serve the range (an "?1 IS NULL OR" would keep them from it).
constexpr std::int64_t kNoLowerBound = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kNoUpperBound = std::numeric_limits<std::int64_t>::max();

bool in_hour_range(const std::optional<std::int64_t>& t) {
  return !t || (*t > -kHourArithmeticLimit && *t < kHourArithmeticLimit);
}

// Adds each (type, severity, status, n) row of a statement.
void add_rows(SqliteStatement& st, AlarmSummary& s) {
  while (st.step()) {
    const std::int64_t n = st.column_int(3);
    s.by_type[st.column_text(0)] += n;
    s.by_severity[st.column_text(1)] += n;
    s.by_status[st.column_text(2)] += n;
    s.total += n;
  }
}

// Adds the rows of alarms with last_seen_ms in [last_from, last_to] and
// first_seen_ms in [first_from, first_to], found by one range of the
// last_seen index (the unary + keeps SQLite from walking a grouping index
// instead).
void count_rows(SqliteConnection& conn, AlarmSummary& s, std::int64_t last_from, std::int64_t last_to,
                std::int64_t first_from, std::int64_t first_to) {
  auto st = conn.prepared(
      "SELECT +type, +severity, +status, count(*) FROM alarms "
      "WHERE last_seen_ms BETWEEN ?1 AND ?2 AND first_seen_ms BETWEEN ?3 AND ?4 GROUP BY 1, 2, 3");
  st->bind_int(1, last_from);
  st->bind_int(2, last_to);
  st->bind_int(3, first_from);
  st->bind_int(4, first_to);
  add_rows(*st, s);
}

}  // namespace

AlarmSummary summarize_alarms(SqliteConnection& conn, std::optional<std::int64_t> since_ms,
                              std::optional<std::int64_t> until_ms) {
  AlarmSummary s;
  const std::int64_t since = since_ms.value_or(kNoLowerBound), until = until_ms.value_or(kNoUpperBound);
  if (!in_hour_range(since_ms) || !in_hour_range(until_ms)) {
    count_rows(conn, s, since, kNoUpperBound, kNoLowerBound, until);
    return s;
  }

  // A row is counted from alarm_hour_counts when its whole last_seen hour is
  // >= since and its whole first_seen hour <= until: its last hour starts at
  // or after `whole_from`, its first hour at or before `whole_to`.
  std::int64_t whole_from = kNoLowerBound, whole_to = kNoUpperBound;
  if (since_ms) whole_from = hour_of(since) == since ? since : hour_of(since) + kHourMs;
  if (until_ms) whole_to = hour_of(until) + kHourMs - 1 == until ? hour_of(until) : hour_of(until) - kHourMs;
  {
    auto st = conn.prepared(
        "SELECT type, severity, status, sum(alarms) FROM alarm_hour_counts "
        "WHERE last_hour_ms >= ?1 AND first_hour_ms <= ?2 GROUP BY 1, 2, 3");
    st->bind_int(1, whole_from);
    st->bind_int(2, whole_to);
    add_rows(*st, s);
  }
  // The rest, each row once: (1) last seen in since's hour from since on
  // (any first hour; until checked per row); (2) first seen in until's hour
  // up to until, with a whole last hour (those with a partial one are (1)):
  // one hour of rows per last hour that the hour counts list for it.
  if (since_ms && whole_from != since) count_rows(conn, s, since, whole_from - 1, kNoLowerBound, until);
  if (until_ms && whole_to != hour_of(until)) {
    const std::int64_t until_hour = hour_of(until);
    std::vector<std::int64_t> last_hours;
    {
      auto st = conn.prepared(
          "SELECT DISTINCT last_hour_ms FROM alarm_hour_counts "
          "WHERE first_hour_ms = ?1 AND last_hour_ms >= ?2");
      st->bind_int(1, until_hour);
      st->bind_int(2, whole_from);
      while (st->step()) last_hours.push_back(st->column_int(0));
    }
    for (const std::int64_t h : last_hours) count_rows(conn, s, h, h + kHourMs - 1, until_hour, until);
  }
  return s;
}

}  // namespace cshield
