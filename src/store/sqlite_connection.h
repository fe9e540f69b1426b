// A thin RAII layer over one sqlite3 connection: prepared statements cached
// for the connection's lifetime, and a transaction guard. Every failure
// throws StoreError naming the database file.
//
// Not thread-safe: the owner serialises all use of a connection and of its
// statements.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace cshield {

class SqliteConnection;

class SqliteStatement {
 public:
  SqliteStatement(const SqliteConnection& conn, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, columns 0-based, as in SQLite.
  void bind_int(int index, std::int64_t value);
  void bind_text(int index, const std::string& value);
  void bind_optional_text(int index, const std::optional<std::string>& value);  // NULL when empty
  void bind_optional_int(int index, const std::optional<std::int64_t>& value);
  void bind_null(int index);

  // Advances: true when a row is available, false when the statement is done.
  bool step();
  // Ready to run again with no bindings.
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int(int column) const;
  std::string column_text(int column) const;  // "" for NULL
  std::optional<std::string> column_optional_text(int column) const;
  std::optional<std::int64_t> column_optional_int(int column) const;

 private:
  const SqliteConnection& conn_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A cached statement in use: resets it when it goes out of scope, so no
// statement keeps a read snapshot open between calls.
class ScopedStatement {
 public:
  explicit ScopedStatement(SqliteStatement& stmt) : stmt_(stmt) {}
  ~ScopedStatement() { stmt_.reset(); }
  ScopedStatement(const ScopedStatement&) = delete;
  ScopedStatement& operator=(const ScopedStatement&) = delete;
  SqliteStatement* operator->() const { return &stmt_; }
  SqliteStatement& operator*() const { return stmt_; }

 private:
  SqliteStatement& stmt_;
};

class SqliteConnection {
 public:
  // Opens (read_only: never creates) the file; sets a 5 s busy timeout.
  // Reads nothing yet: a foreign file is detected on first access.
  SqliteConnection(const std::string& path, bool read_only);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Runs one or more statements that return no rows of interest.
  void exec(const std::string& sql);
  // The statement for `sql`, prepared on first use and kept until the
  // connection closes; ready to bind, reset again when the scope ends.
  ScopedStatement prepared(const std::string& sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;

  // Throws StoreError "<path>: <what>: <sqlite message>".
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements_;
};

// Begins on construction, rolls back on destruction unless committed.
// write: BEGIN IMMEDIATE, taking the write lock at once (waiting up to the
// busy timeout); read: BEGIN, one consistent snapshot for several queries.
class SqliteTransaction {
 public:
  enum class Mode { read, write };
  SqliteTransaction(SqliteConnection& conn, Mode mode);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteConnection& conn_;
  bool done_ = false;
};

}  // namespace cshield
