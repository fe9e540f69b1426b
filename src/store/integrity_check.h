// Whether an alarm database's pages are sound, by SQLite's PRAGMA
// quick_check: every b-tree page well-formed, cells in order, no page used
// twice, the free list intact (integrity_check adds the match of indexes to
// tables, about 5x slower). Reads only; never writes the file.
//
// Its time grows with the file: 1.3-7 s for 1M alarms (630 MB) on the
// shared 2-core development VM, depending on its load; 0.11 s for 100k. So the store checks a file of at most
// StoreOptions::check_at_open_bytes when it opens, before anything is
// written (a damaged one is refused), and a larger one on a background
// thread (BackgroundIntegrityCheck), after which a damaged one refuses writes.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

struct sqlite3;

namespace cshield {

// "" when sound; else SQLite's first problems (at most 5, joined by "; ") or
// the error that stopped the check (a page so broken SQLite cannot read it).
std::string integrity_problems(sqlite3* db);

// The StoreError sentence for a damaged file: names it, what is wrong, and what to do.
std::string damaged_database_message(const std::string& path, const std::string& problems);

// The size of the file in bytes as SQLite sees it (page count x page size).
std::int64_t database_bytes(sqlite3* db);

// Checks `path` on its own thread over its own read-only connection.
class BackgroundIntegrityCheck {
 public:
  explicit BackgroundIntegrityCheck(std::string path);
  ~BackgroundIntegrityCheck();  // interrupts a running check and waits for it
  BackgroundIntegrityCheck(const BackgroundIntegrityCheck&) = delete;
  BackgroundIntegrityCheck& operator=(const BackgroundIntegrityCheck&) = delete;

  // The damaged_database_message once the check found damage; nullopt while
  // it runs, when the file is sound, or when the check could not run.
  std::optional<std::string> damage() const;
  // Whether the check has ended (sound, damaged or not run).
  bool finished() const { return finished_; }

 private:
  void run();

  const std::string path_;
  mutable std::mutex mu_;
  sqlite3* db_ = nullptr;  // guarded by mu_: the destructor interrupts through it
  bool stopping_ = false;  // guarded by mu_
  std::optional<std::string> damage_;  // guarded by mu_
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace cshield
