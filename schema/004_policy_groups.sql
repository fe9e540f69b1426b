-- cshield alarm store, version 4: policy groups (API.md "A policy group").
-- definition: the group as API.md spells it (a JSON object); source: "api",
-- or the policy file it was loaded from; learning_until_ms: while in the
-- future, abnormal_process learns what runs in the group's containers
-- instead of alarming.
CREATE TABLE policy_groups (
  name              TEXT PRIMARY KEY,
  definition        TEXT NOT NULL,
  source            TEXT NOT NULL,
  learning_until_ms INTEGER,
  updated_ms        INTEGER NOT NULL
);

-- What learning mode saw run: executables (as the container sees them) per group.
CREATE TABLE policy_learned (
  group_name    TEXT NOT NULL,
  path          TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms  INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  PRIMARY KEY (group_name, path)
);

-- The policy group each running container is associated with (no row:
-- none). A table of its own, not a column of containers, so that it can be
-- written before or after the inventory's row of the container.
CREATE TABLE container_policy_groups (
  container_id TEXT PRIMARY KEY,
  policy_group TEXT NOT NULL
);
