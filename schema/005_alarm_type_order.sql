-- cshield alarm store, version 5: the alarm list filtered by type, newest
-- first, without a sort. alarms_type (type, subtype) orders a type's rows by
-- subtype, so "type = ? ORDER BY id DESC LIMIT 50" sorted every alarm of the
-- type (0.4 s on 1M alarms); an index on type alone keeps them in id order
-- (the rowid ends every index entry): 1 ms.
--
-- In schema/next/ because versions 3-5 come from other branches and the
-- migrations must be numbered without gaps: move it to schema/ once they
-- are in (tools/bench/ui-page-load applies it to its own database meanwhile).
CREATE INDEX IF NOT EXISTS alarms_type_order ON alarms (type);
