#include "store/integrity_check.h"

#include <sqlite3.h>

namespace cshield {

std::string integrity_problems(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check(5)", -1, &st, nullptr) != SQLITE_OK)
    return std::string("the check cannot start: ") + sqlite3_errmsg(db);
  std::string problems;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    std::string line = text ? text : "";
    // One line for the log: "*** in database main ***\nPage 7: ..." becomes "Page 7: ...".
    if (line.rfind("*** in database", 0) == 0) line.erase(0, line.find('\n') == std::string::npos ? line.size() : line.find('\n') + 1);
    for (char& c : line) if (c == '\n') c = ' ';
    if (line == "ok" || line.empty()) continue;
    problems += (problems.empty() ? "" : "; ") + line;
  }
  if (rc != SQLITE_DONE) problems += (problems.empty() ? "" : "; ") + std::string(sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return problems;
}

std::string damaged_database_message(const std::string& path, const std::string& problems) {
  return path + ": the alarm database is damaged (PRAGMA quick_check: " + problems +
         "); refusing to use or change it: restore it from a backup, or move it aside to start with an "
         "empty one (sqlite3's .recover can salvage rows)";
}

std::int64_t database_bytes(sqlite3* db) {
  std::int64_t result = 1;
  for (const char* pragma : {"PRAGMA page_count", "PRAGMA page_size"}) {
    sqlite3_stmt* st = nullptr;
    std::int64_t value = 0;
    if (sqlite3_prepare_v2(db, pragma, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      value = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    result *= value;
  }
  return result;
}

BackgroundIntegrityCheck::BackgroundIntegrityCheck(std::string path)
    : path_(std::move(path)), thread_([this] { run(); }) {}

BackgroundIntegrityCheck::~BackgroundIntegrityCheck() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (db_) sqlite3_interrupt(db_);
  }
  thread_.join();
}

std::optional<std::string> BackgroundIntegrityCheck::damage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return damage_;
}

void BackgroundIntegrityCheck::run() {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    finished_ = true;
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      sqlite3_close(db);
      finished_ = true;
      return;
    }
    db_ = db;
  }
  const std::string problems = integrity_problems(db);
  {
    std::lock_guard<std::mutex> lock(mu_);
    db_ = nullptr;
    // An interrupted check found nothing.
    if (!problems.empty() && !stopping_) damage_ = damaged_database_message(path_, problems);
  }
  sqlite3_close(db);
  finished_ = true;
}

}  // namespace cshield
