-- cshield alarm store, version 1: alarms and the containers they concern.
-- Times are epoch milliseconds (UTC).

CREATE TABLE containers (
  id            TEXT PRIMARY KEY NOT NULL,
  runtime       TEXT NOT NULL DEFAULT '',
  name          TEXT NOT NULL DEFAULT '',
  image         TEXT NOT NULL DEFAULT '',
  pod           TEXT,
  namespace     TEXT,
  bundle        TEXT NOT NULL DEFAULT '',
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms  INTEGER NOT NULL,
  stopped_ms    INTEGER,
  findings      TEXT NOT NULL DEFAULT '[]'  -- JSON array of startup findings
);
CREATE INDEX containers_name ON containers (name);

-- AUTOINCREMENT: ids are never reused after retention, so API cursors and
-- references to deleted alarms never point at a newer row.
CREATE TABLE alarms (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  type                TEXT NOT NULL,
  subtype             TEXT NOT NULL,
  category            TEXT NOT NULL,
  name                TEXT NOT NULL,
  severity            TEXT NOT NULL,
  status              TEXT NOT NULL DEFAULT 'unhandled'
                      CHECK (status IN ('unhandled', 'handled', 'ignored')),
  note                TEXT NOT NULL DEFAULT '',
  first_seen_ms       INTEGER NOT NULL,
  last_seen_ms        INTEGER NOT NULL,
  count               INTEGER NOT NULL DEFAULT 1,
  container_id        TEXT,                 -- NULL: host-level alarm
  container_name      TEXT,
  container_image     TEXT,
  container_runtime   TEXT,
  container_pod       TEXT,
  container_namespace TEXT,
  pid                 INTEGER NOT NULL,
  ppid                INTEGER NOT NULL,
  exe                 TEXT NOT NULL,
  comm                TEXT NOT NULL,
  cmdline             TEXT NOT NULL,
  uid                 INTEGER NOT NULL,
  euid                INTEGER NOT NULL,
  auid                INTEGER NOT NULL,
  syscall             TEXT NOT NULL,
  path                TEXT,                 -- NULL: no path
  evidence            TEXT NOT NULL DEFAULT '{}',  -- JSON object
  audit_serial        INTEGER NOT NULL,
  audit_time_ms       INTEGER NOT NULL,
  description         TEXT NOT NULL,
  fold_key            TEXT NOT NULL
);

-- Folding looks up the latest unhandled row of a key.
CREATE INDEX alarms_fold ON alarms (fold_key, last_seen_ms) WHERE status = 'unhandled';
-- Filters of the listing (each index also orders by id, the rowid).
CREATE INDEX alarms_type ON alarms (type, subtype);
CREATE INDEX alarms_severity ON alarms (severity);
CREATE INDEX alarms_status ON alarms (status);
CREATE INDEX alarms_container_id ON alarms (container_id);
CREATE INDEX alarms_container_name ON alarms (container_name);
CREATE INDEX alarms_container_image ON alarms (container_image);
-- Time filters and retention by age.
CREATE INDEX alarms_last_seen ON alarms (last_seen_ms);
