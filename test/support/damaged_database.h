// A cshield alarm database with one damaged page: `alarms` alarms written
// through SqliteStore (so the file is cshield's, schema and all), closed,
// then one leaf page in the middle of the alarms table's b-tree overwritten
// with garbage, as a failing disk or a stray write would leave it.
// Throws std::runtime_error when it cannot.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/alarm.h"
#include "store/sqlite_store.h"

namespace cshield::testing {

// The page numbers of the leaf pages of table `table`, in file order.
inline std::vector<std::int64_t> leaf_pages(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  std::vector<std::int64_t> pages;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                           -1, &st, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, table.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(st) == SQLITE_ROW) pages.push_back(sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return pages;
}

// Returns the damaged page's number.
inline std::int64_t make_damaged_database(const std::string& path, int alarms) {
  {
    StoreOptions options;
    options.retention_days = 0;
    options.max_alarms = 0;
    SqliteStore store(path, options);
    std::vector<Alarm> batch;
    for (int i = 0; i < alarms; ++i) {
      Alarm a = make_alarm("high_risk_syscall", "ptrace", "ptrace");
      a.first_seen_ms = a.last_seen_ms = 1764175801000 + std::int64_t{i} * 3600 * 1000;  // never folding
      a.process.pid = 1000 + i;
      a.process.exe = "/usr/bin/strace";
      a.process.cmdline = "strace -p " + std::to_string(i);
      a.syscall = "ptrace";
      a.description = "alarm number " + std::to_string(i);
      batch.push_back(a);
    }
    store.write(batch);
  }  // closed: the WAL is checkpointed into the file and removed
  const std::vector<std::int64_t> pages = leaf_pages(path, "alarms");
  if (pages.size() < 3) throw std::runtime_error(path + ": the alarms table has fewer than 3 leaf pages");
  const std::int64_t page = pages[pages.size() / 2];
  std::int64_t page_size = 4096;
  {
    std::ifstream in(path, std::ios::binary);
    unsigned char header[18] = {};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    page_size = (header[16] << 8) | header[17];
    if (page_size == 1) page_size = 65536;
  }
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp((page - 1) * page_size);
  const std::string garbage(static_cast<std::size_t>(page_size), '\x5a');
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  if (!file) throw std::runtime_error(path + ": cannot damage page " + std::to_string(page));
  return page;
}

}  // namespace cshield::testing
