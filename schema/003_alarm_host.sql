-- cshield alarm store, version 3: the node that raised each alarm (the
-- configured [node] name, CSHIELD_NODE_NAME, or the host name), so that
-- alarms read back from a database name their node as the exports do.
-- Rows written before version 3 have ''.
ALTER TABLE alarms ADD COLUMN host TEXT NOT NULL DEFAULT '';
