#include "store/schema_setup.h"

#include <sqlite3.h>

#include <string>

#include "core/time_format.h"
#include "store/integrity_check.h"
#include "store/schema_migrations.h"
#include "store/store_error.h"

namespace cshield {

namespace {

std::int64_t query_int(SqliteConnection& conn, const std::string& sql) {
  auto st = conn.prepared(sql);
  return st->step() ? st->column_int(0) : 0;
}

// The first read of the file: SQLite reports a foreign or damaged file here.
void check_is_sqlite(SqliteConnection& conn) {
  const int rc =
      sqlite3_exec(conn.handle(), "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return;
  if ((rc & 0xff) == SQLITE_NOTADB)
    throw StoreError(conn.path() +
                     ": not a SQLite database; refusing to use it as the alarm database");
  conn.fail("cannot read the alarm database");
}

bool has_version_table(SqliteConnection& conn) {
  return query_int(conn,
             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") > 0;
}

// 0 for a new, empty database.
int current_version(SqliteConnection& conn) {
  if (!has_version_table(conn)) return 0;
  return static_cast<int>(query_int(conn, "SELECT coalesce(max(version), 0) FROM schema_version"));
}

void check_is_ours(SqliteConnection& conn) {
  const std::int64_t user_tables = query_int(conn,
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
      "ESCAPE '\\'");
  if (user_tables > 0 && !has_version_table(conn))
    throw StoreError(conn.path() +
                     ": a SQLite database of another program (no schema_version table); "
                     "refusing to use it as the alarm database");
  const int version = current_version(conn);
  if (version > known_schema_version())
    throw StoreError(conn.path() + ": schema version " + std::to_string(version) +
                     " is newer than this build knows (" + std::to_string(known_schema_version()) +
                     "); upgrade cshield");
}

// Refuses a damaged file of at most `limit` bytes; false when it is larger (unchecked).
bool check_pages(SqliteConnection& conn, std::int64_t limit) {
  if (database_bytes(conn.handle()) > limit) return false;
  const std::string problems = integrity_problems(conn.handle());
  if (!problems.empty()) throw StoreError(damaged_database_message(conn.path(), problems));
  return true;
}

void set_pragmas(SqliteConnection& conn, bool read_only) {
  if (!read_only) {
    auto st = conn.prepared("PRAGMA journal_mode = WAL");
    if (!st->step() || st->column_text(0) != "wal")
      throw StoreError(conn.path() + ": cannot switch the alarm database to WAL journaling");
  }
  conn.exec("PRAGMA synchronous = NORMAL");
  conn.exec("PRAGMA foreign_keys = ON");
}

void apply_migrations(SqliteConnection& conn) {
  for (const Migration& m : schema_migrations()) {
    SqliteTransaction tx(conn, SqliteTransaction::Mode::write);
    // Re-read under the write lock: another opener may have applied it.
    if (current_version(conn) >= m.version) continue;
    conn.exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, file TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
    try {
      conn.exec(m.sql);
    } catch (const StoreError& e) {
      throw StoreError(std::string("migration ") + m.file + " failed: " + e.what());
    }
    auto st = conn.prepared("INSERT INTO schema_version (version, file, applied_ms) VALUES (?, ?, ?)");
    st->bind_int(1, m.version);
    st->bind_text(2, m.file);
    st->bind_int(3, now_ms());
    st->step();
    tx.commit();
  }
}

}  // namespace

int known_schema_version() { return schema_migrations().back().version; }

bool setup_schema(SqliteConnection& conn, bool read_only, std::int64_t check_at_open_bytes) {
  check_is_sqlite(conn);
  check_is_ours(conn);
  const bool checked = check_pages(conn, check_at_open_bytes);
  set_pragmas(conn, read_only);
  if (!read_only) {
    apply_migrations(conn);
    return checked;
  }
  const int version = current_version(conn);
  if (version != known_schema_version())
    throw StoreError(conn.path() + ": schema version " + std::to_string(version) + ", this build needs " +
                     std::to_string(known_schema_version()) +
                     "; open it read-write once to create or migrate it");
  return checked;
}

}  // namespace cshield
