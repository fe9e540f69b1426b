-- cshield alarm store, version 8: an upper bound of the ids of each hour
-- count's alarms, so that the list of a closed period finds its newest
-- candidate from the hour counts (a few thousand rows) instead of walking
-- the period's range of the last-seen index (a day of 10M alarms: 333k
-- entries, ~25 ms); SqliteStore::list walks down by id from there.
--
-- Invariant: for every row of alarm_hour_counts, max_id >= the id of every
-- alarm with that key. Kept by the insert and update triggers below (they
-- replace schema/006's); deletes leave it as it is (still an upper bound).
-- Alarm ids never change (AUTOINCREMENT, never updated).
ALTER TABLE alarm_hour_counts ADD COLUMN max_id INTEGER NOT NULL DEFAULT 0;

-- The alarms already stored: the newest id last seen in each hour bounds
-- every key of that hour (one walk of the last-seen index).
CREATE TEMP TABLE hour_max_ids (h INTEGER PRIMARY KEY, m INTEGER NOT NULL);
INSERT INTO temp.hour_max_ids (h, m)
SELECT last_seen_ms - ((last_seen_ms % 3600000) + 3600000) % 3600000, max(id) FROM alarms GROUP BY 1;
UPDATE alarm_hour_counts SET max_id = (SELECT m FROM temp.hour_max_ids WHERE h = last_hour_ms);
DROP TABLE temp.hour_max_ids;

DROP TRIGGER alarm_hour_counts_insert;
CREATE TRIGGER alarm_hour_counts_insert AFTER INSERT ON alarms BEGIN
  INSERT INTO alarm_hour_counts (last_hour_ms, first_hour_ms, type, severity, status, alarms, max_id)
  VALUES (NEW.last_seen_ms - ((NEW.last_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.first_seen_ms - ((NEW.first_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.type, NEW.severity, NEW.status, 1, NEW.id)
  ON CONFLICT DO UPDATE SET alarms = alarms + 1, max_id = max(max_id, excluded.max_id);
END;

-- As schema/006's, but the row's new key also takes its id.
DROP TRIGGER alarm_hour_counts_update;
CREATE TRIGGER alarm_hour_counts_update
AFTER UPDATE OF type, severity, status, first_seen_ms, last_seen_ms ON alarms
WHEN OLD.type IS NOT NEW.type OR OLD.severity IS NOT NEW.severity OR OLD.status IS NOT NEW.status
  OR OLD.last_seen_ms - ((OLD.last_seen_ms % 3600000) + 3600000) % 3600000
     IS NOT NEW.last_seen_ms - ((NEW.last_seen_ms % 3600000) + 3600000) % 3600000
  OR OLD.first_seen_ms - ((OLD.first_seen_ms % 3600000) + 3600000) % 3600000
     IS NOT NEW.first_seen_ms - ((NEW.first_seen_ms % 3600000) + 3600000) % 3600000
BEGIN
  DELETE FROM alarm_hour_counts
  WHERE last_hour_ms = OLD.last_seen_ms - ((OLD.last_seen_ms % 3600000) + 3600000) % 3600000
    AND first_hour_ms = OLD.first_seen_ms - ((OLD.first_seen_ms % 3600000) + 3600000) % 3600000
    AND type = OLD.type AND severity = OLD.severity AND status = OLD.status AND alarms = 1;
  UPDATE alarm_hour_counts SET alarms = alarms - 1
  WHERE last_hour_ms = OLD.last_seen_ms - ((OLD.last_seen_ms % 3600000) + 3600000) % 3600000
    AND first_hour_ms = OLD.first_seen_ms - ((OLD.first_seen_ms % 3600000) + 3600000) % 3600000
    AND type = OLD.type AND severity = OLD.severity AND status = OLD.status;
  INSERT INTO alarm_hour_counts (last_hour_ms, first_hour_ms, type, severity, status, alarms, max_id)
  VALUES (NEW.last_seen_ms - ((NEW.last_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.first_seen_ms - ((NEW.first_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.type, NEW.severity, NEW.status, 1, NEW.id)
  ON CONFLICT DO UPDATE SET alarms = alarms + 1, max_id = max(max_id, excluded.max_id);
END;
