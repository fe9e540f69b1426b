-- cshield alarm store, version 6: alarm counts kept up to date, so that
-- the summary and the containers view need no grouping over every alarm
-- (1M alarms: 0.2-0.3 s for a summary, 2 s for the containers' counts;
-- from the counts: a few ms at any number of alarms).
--
-- Both tables are kept by the triggers below on every write of alarms
-- (insert, fold, status change, delete, retention; also plain SQL). Note for
-- future code: a REPLACE conflict resolution on alarms would delete rows
-- without firing the delete triggers (recursive_triggers is off); alarms
-- has no unique column but its id, which is never reused.
--
-- 1. alarm_hour_counts, for the summary (GET /api/v1/alarms/summary).
-- One row per (hour of last_seen, hour of first_seen, type, severity,
-- status) that has alarms: how many alarm rows (not events) it has. An
-- hour is the epoch millisecond that starts it, floor(t / 3600000) *
-- 3600000, written below as t - ((t % 3600000) + 3600000) % 3600000 (SQLite's
-- % keeps the sign of t, so this rounds down before 1970 too).
-- Invariant: for every key, alarms = the number of rows of alarms with that
-- key; keys with no row have no row here.
-- SqliteStore::summary() adds the whole hours of a period from here and
-- counts the rows of the hours at its edges from alarms itself.
CREATE TABLE alarm_hour_counts (
  last_hour_ms  INTEGER NOT NULL,
  first_hour_ms INTEGER NOT NULL,
  type          TEXT NOT NULL,
  severity      TEXT NOT NULL,
  status        TEXT NOT NULL,
  alarms        INTEGER NOT NULL CHECK (alarms > 0),
  PRIMARY KEY (last_hour_ms, first_hour_ms, type, severity, status)
) WITHOUT ROWID;
-- The rows first seen in the hour of a period's `until`.
CREATE INDEX alarm_hour_counts_first ON alarm_hour_counts (first_hour_ms);

-- The alarms already stored.
INSERT INTO alarm_hour_counts (last_hour_ms, first_hour_ms, type, severity, status, alarms)
SELECT last_seen_ms - ((last_seen_ms % 3600000) + 3600000) % 3600000,
       first_seen_ms - ((first_seen_ms % 3600000) + 3600000) % 3600000,
       type, severity, status, count(*)
FROM alarms GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER alarm_hour_counts_insert AFTER INSERT ON alarms BEGIN
  INSERT INTO alarm_hour_counts (last_hour_ms, first_hour_ms, type, severity, status, alarms)
  VALUES (NEW.last_seen_ms - ((NEW.last_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.first_seen_ms - ((NEW.first_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.type, NEW.severity, NEW.status, 1)
  ON CONFLICT DO UPDATE SET alarms = alarms + 1;
END;

-- The last row of a key goes (alarms > 0); otherwise its count drops by one.
CREATE TRIGGER alarm_hour_counts_delete AFTER DELETE ON alarms BEGIN
  DELETE FROM alarm_hour_counts
  WHERE last_hour_ms = OLD.last_seen_ms - ((OLD.last_seen_ms % 3600000) + 3600000) % 3600000
    AND first_hour_ms = OLD.first_seen_ms - ((OLD.first_seen_ms % 3600000) + 3600000) % 3600000
    AND type = OLD.type AND severity = OLD.severity AND status = OLD.status AND alarms = 1;
  UPDATE alarm_hour_counts SET alarms = alarms - 1
  WHERE last_hour_ms = OLD.last_seen_ms - ((OLD.last_seen_ms % 3600000) + 3600000) % 3600000
    AND first_hour_ms = OLD.first_seen_ms - ((OLD.first_seen_ms % 3600000) + 3600000) % 3600000
    AND type = OLD.type AND severity = OLD.severity AND status = OLD.status;
END;

-- A fold within the same hours (the usual case) changes no key: the WHEN
-- skips it. Otherwise the row moves from its old key to its new one.
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
  INSERT INTO alarm_hour_counts (last_hour_ms, first_hour_ms, type, severity, status, alarms)
  VALUES (NEW.last_seen_ms - ((NEW.last_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.first_seen_ms - ((NEW.first_seen_ms % 3600000) + 3600000) % 3600000,
          NEW.type, NEW.severity, NEW.status, 1)
  ON CONFLICT DO UPDATE SET alarms = alarms + 1;
END;

-- 2. alarm_container_counts, for the containers view (alarm_counts of
-- GET /api/v1/containers): how many alarm rows each container has, by type.
-- Same invariant; alarms without a container (NULL) are not counted.
CREATE TABLE alarm_container_counts (
  container_id TEXT NOT NULL,
  type         TEXT NOT NULL,
  alarms       INTEGER NOT NULL CHECK (alarms > 0),
  PRIMARY KEY (container_id, type)
) WITHOUT ROWID;

INSERT INTO alarm_container_counts (container_id, type, alarms)
SELECT container_id, type, count(*) FROM alarms WHERE container_id IS NOT NULL GROUP BY 1, 2;

CREATE TRIGGER alarm_container_counts_insert AFTER INSERT ON alarms
WHEN NEW.container_id IS NOT NULL BEGIN
  INSERT INTO alarm_container_counts (container_id, type, alarms) VALUES (NEW.container_id, NEW.type, 1)
  ON CONFLICT DO UPDATE SET alarms = alarms + 1;
END;

CREATE TRIGGER alarm_container_counts_delete AFTER DELETE ON alarms
WHEN OLD.container_id IS NOT NULL BEGIN
  DELETE FROM alarm_container_counts
  WHERE container_id = OLD.container_id AND type = OLD.type AND alarms = 1;
  UPDATE alarm_container_counts SET alarms = alarms - 1
  WHERE container_id = OLD.container_id AND type = OLD.type;
END;

CREATE TRIGGER alarm_container_counts_update AFTER UPDATE OF container_id, type ON alarms
WHEN OLD.container_id IS NOT NEW.container_id OR OLD.type IS NOT NEW.type BEGIN
  DELETE FROM alarm_container_counts
  WHERE container_id = OLD.container_id AND type = OLD.type AND alarms = 1;
  UPDATE alarm_container_counts SET alarms = alarms - 1
  WHERE container_id = OLD.container_id AND type = OLD.type;
  INSERT INTO alarm_container_counts (container_id, type, alarms)
  SELECT NEW.container_id, NEW.type, 1 WHERE NEW.container_id IS NOT NULL
  ON CONFLICT DO UPDATE SET alarms = alarms + 1;
END;
