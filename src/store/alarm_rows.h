// The mapping between cshield::Alarm and a row of the alarms table.
// Container bundle and rootfs are container-level facts kept in the
// containers table, not per alarm; a read alarm's container has them empty.
#pragma once

#include <cstdint>

#include "core/alarm.h"
#include "store/sqlite_connection.h"

namespace cshield {

// "SELECT id, <every column> FROM alarms": append WHERE / ORDER BY / LIMIT.
extern const char kSelectAlarmsSql[];
// INSERT of every column but id, parameters bound by bind_alarm_row().
extern const char kInsertAlarmSql[];

// The times a row stores: last_seen falls back to first_seen and vice versa.
std::int64_t alarm_first_seen(const Alarm& a);
std::int64_t alarm_last_seen(const Alarm& a);

void bind_alarm_row(SqliteStatement& st, const Alarm& a);
// The current row of a statement built on kSelectAlarmsSql.
Alarm read_alarm_row(const SqliteStatement& st);

}  // namespace cshield
