// Brings a freshly opened connection to this build's schema.
#pragma once

#include "store/sqlite_connection.h"

namespace cshield {

// The newest schema version compiled into this build.
int known_schema_version();

// Verifies that the file is a cshield database or a new, empty one, and
// refuses (StoreError, nothing written) a file that is not SQLite, a SQLite
// database of another program (tables but no schema_version), or a schema
// newer than this build. Then sets the PRAGMAs (WAL, synchronous=NORMAL,
// foreign_keys) and applies the pending migrations in order, each in its own
// transaction recorded in schema_version; concurrent openers of one file
// apply each migration once. read_only: no writes at all, and the schema
// must already be current.
void setup_schema(SqliteConnection& conn, bool read_only);

}  // namespace cshield
