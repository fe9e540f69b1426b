// The alarm summary of a period (GET /api/v1/alarms/summary): how many alarm
// rows, by type, by severity and by status, whose last_seen_ms >= since and
// first_seen_ms <= until (either bound optional), exactly as
//   SELECT type, severity, status, count(*) FROM alarms WHERE ... GROUP BY 1, 2, 3
// would count them, but from the hour counts of schema/006 (the whole hours
// of the period) plus the rows of the hours at its edges: a few ms whatever
// the number of alarms. The caller holds a read (or write) transaction, so
// that the two tables are read at one moment.
#pragma once

#include <cstdint>
#include <optional>

#include "store/alarm_repository.h"
#include "store/sqlite_connection.h"

namespace cshield {

// The start of t's hour, as schema/006 keys alarm_hour_counts (rounds down
// before 1970 too). |t| must stay below 2^62 (no overflow).
inline std::int64_t hour_of(std::int64_t t) {
  constexpr std::int64_t kHour = 60 * 60 * 1000;
  return t - ((t % kHour) + kHour) % kHour;
}

AlarmSummary summarize_alarms(SqliteConnection& conn, std::optional<std::int64_t> since_ms,
                              std::optional<std::int64_t> until_ms);

}  // namespace cshield
