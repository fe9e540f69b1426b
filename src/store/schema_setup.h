// Brings a freshly opened connection to this build's schema.
#pragma once

#include <cstdint>

#include "store/sqlite_connection.h"

namespace cshield {

// The newest schema version compiled into this build.
int known_schema_version();

// Verifies that the file is a cshield database or a new, empty one, and
// refuses (StoreError, nothing written) a file that is not SQLite, a SQLite
// database of another program (tables but no schema_version), or a schema
// newer than this build; then, when the file is at most
// `check_at_open_bytes`, checks its pages (integrity_check.h) and refuses a
// damaged one, still before anything is written. Then sets the PRAGMAs (WAL, synchronous=NORMAL,
// foreign_keys) and applies the pending migrations in order, each in its own
// transaction recorded in schema_version; concurrent openers of one file
// apply each migration once. read_only: no writes at all, and the schema
// must already be current. Returns whether the page check ran (false: the
// file was larger; the caller checks it in the background).
bool setup_schema(SqliteConnection& conn, bool read_only, std::int64_t check_at_open_bytes);

}  // namespace cshield
