-- cshield alarm store, version 2: the container inventory.
-- started_ms: the container's latest start; posture: its security posture at
-- that start (a JSON object; NULL when never judged). stopped_ms (version 1)
-- is NULL while the container runs.
ALTER TABLE containers ADD COLUMN started_ms INTEGER;
ALTER TABLE containers ADD COLUMN posture TEXT;

-- Every container start cshieldd has judged for abnormal_startup, so that a
-- restart of cshieldd neither misses nor judges twice the starts of
-- containers that are still running.
CREATE TABLE startup_judged (
  container_id TEXT NOT NULL,
  started_ms   INTEGER NOT NULL,
  judged_ms    INTEGER NOT NULL,
  PRIMARY KEY (container_id, started_ms)
);
