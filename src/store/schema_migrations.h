// The schema migrations, compiled in from schema/NNN_name.sql at build time
// (embed_schema.cmake generates the definition), so the daemon needs no
// schema files on disk.
#pragma once

#include <vector>

namespace cshield {

struct Migration {
  int version;       // 1, 2, 3, ... (the file's number)
  const char* file;  // "001_initial.sql"
  const char* sql;   // one or more statements; static storage
};

// Versions 1..N in order, without gaps.
std::vector<Migration> schema_migrations();

}  // namespace cshield
