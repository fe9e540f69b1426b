-- cshield alarm store, version 7: the summary's grouping without a sort.
-- SqliteStore::summary() groups the whole hours of a period from
-- alarm_hour_counts by (type, severity, status). Through the primary key
-- (hours first) SQLite sorted every row of the period to group them: all
-- time over 30 days of alarms (~30k rows, at any number of alarms) took
-- 15-17 ms. This covering index holds the rows in group order, so the
-- grouping is one walk of it: 3 ms all time, 1 ms for a day.
CREATE INDEX alarm_hour_counts_key
  ON alarm_hour_counts (type, severity, status, last_hour_ms, first_hour_ms, alarms);
