#include "store/sqlite_connection.h"

#include <sqlite3.h>

#include "store/store_error.h"

namespace cshield {

namespace {
constexpr int kBusyTimeoutMs = 5000;
}  // namespace

SqliteStatement::SqliteStatement(const SqliteConnection& conn, const std::string& sql)
    : conn_(conn) {
  if (sqlite3_prepare_v3(conn.handle(), sql.c_str(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
    conn.fail("cannot prepare \"" + sql.substr(0, 80) + "\"");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::bind_int(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) conn_.fail("cannot bind");
}

void SqliteStatement::bind_text(int index, const std::string& value) {
  if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK)
    conn_.fail("cannot bind");
}

void SqliteStatement::bind_optional_text(int index, const std::optional<std::string>& value) {
  if (value)
    bind_text(index, *value);
  else
    bind_null(index);
}

void SqliteStatement::bind_optional_int(int index, const std::optional<std::int64_t>& value) {
  if (value)
    bind_int(index, *value);
  else
    bind_null(index);
}

void SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) conn_.fail("cannot bind");
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  conn_.fail("statement failed");
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);  // its code repeats the last step's error, already reported
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::column_int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string SqliteStatement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> SqliteStatement::column_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

std::optional<std::int64_t> SqliteStatement::column_optional_int(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int(column);
}

SqliteConnection::SqliteConnection(const std::string& path, bool read_only) : path_(path) {
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw StoreError(path + ": cannot open the alarm database: " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();  // finalize before close
  sqlite3_close(db_);
}

void SqliteConnection::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw StoreError(path_ + ": \"" + sql.substr(0, 80) + "\" failed: " + msg);
  }
}

ScopedStatement SqliteConnection::prepared(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end())
    it = statements_.emplace(sql, std::make_unique<SqliteStatement>(*this, sql)).first;
  return ScopedStatement(*it->second);
}

std::int64_t SqliteConnection::changes() const { return sqlite3_changes64(db_); }

std::int64_t SqliteConnection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

void SqliteConnection::fail(const std::string& what) const {
  throw StoreError(path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

SqliteTransaction::SqliteTransaction(SqliteConnection& conn, Mode mode) : conn_(conn) {
  conn_.exec(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) sqlite3_exec(conn_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
  conn_.exec("COMMIT");
  done_ = true;
}

}  // namespace cshield
