// The alarm store on one SQLite file: the writer thread's AlarmWriter and the
// API's AlarmRepository.
//
// Thread safety: each instance owns one connection and serialises every call
// on a mutex. Several instances may use one file at once (WAL): typically one
// writer and, for the API, a SqliteReaderPool of read-only instances;
// writers wait for each other up to 5 s. Each read is one snapshot.
// Errors: every method throws StoreError when SQLite fails (the batch or
// statement is rolled back); callers on pipeline threads must catch it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/alarm_repository.h"
#include "store/integrity_check.h"
#include "store/sqlite_connection.h"
#include "store/store_error.h"

namespace cshield {

struct StoreOptions {
  int retention_days = 90;                       // <= 0: no age limit
  std::int64_t max_alarms = 1000000;             // <= 0: no count limit
  std::int64_t fold_window_ms = 10 * 60 * 1000;  // repeats closer than this fold
  bool read_only = false;                        // no writes; the schema must exist
  // A file up to this size has its pages checked when it opens (PRAGMA
  // quick_check, under 0.1 s at 32 MiB on a quiet VM) and is refused when damaged; a larger
  // one is checked on a background thread and, when damaged, refuses every
  // write from then on (StoreError naming the file; the daemon then runs
  // degraded). See integrity_check.h.
  std::int64_t check_at_open_bytes = 32 * 1024 * 1024;
};

class SqliteStore final : public AlarmWriter, public AlarmRepository {
 public:
  // Opens or creates the file (never its directory) and migrates it; see
  // setup_schema() for what is refused (a damaged file included). Throws
  // StoreError naming the file.
  SqliteStore(const std::string& path, StoreOptions opts);

  // Whether the background page check (see StoreOptions::check_at_open_bytes)
  // still runs; false once it ended or when the file was checked at open.
  bool integrity_check_running() const { return background_check_ && !background_check_->finished(); }

  // Folding compares the stored last_seen with the alarm's last_seen_ms
  // (first_seen_ms when 0), within fold_window_ms either way. An alarm with
  // a container also upserts the container; an abnormal_startup/startup
  // alarm records its evidence.findings as the container's findings.
  std::vector<std::int64_t> write(const std::vector<Alarm>& alarms) override;
  // Refreshes non-empty names, image, runtime, bundle; keeps the earliest
  // first_seen and the latest last_seen.
  void upsert_container(const ContainerInfo& c, std::int64_t seen_ms) override;
  std::int64_t apply_retention(std::int64_t now_ms) override;

  AlarmPage list(const AlarmQuery& q) override;
  std::optional<Alarm> get(std::int64_t id) override;
  // Throws std::invalid_argument for a status other than unhandled|handled|ignored.
  std::optional<Alarm> update_status(std::int64_t id, const std::string& status,
                                     const std::optional<std::string>& note) override;
  AlarmSummary summary(std::optional<std::int64_t> since_ms,
                       std::optional<std::int64_t> until_ms) override;
  // Most recently seen first.
  std::vector<ContainerRecord> containers() override;
  // Exact id first, then exact name, then id prefix (12+ chars); the most
  // recently seen container wins among several.
  std::optional<ContainerRecord> container(const std::string& id_or_name) override;
  std::int64_t alarm_count() override;

 private:
  std::int64_t write_one(const Alarm& a);
  // Throws the background check's StoreError once it found damage.
  void refuse_writes_if_damaged() const;
  std::optional<Alarm> get_locked(std::int64_t id);
  // Whether fewer alarms were last seen from since's hour to until's hour
  // (set in `in_period`) than after it (by alarm_hour_counts): which way
  // list() finds a period.
  bool fewer_in_period_than_after(std::int64_t since_ms, std::int64_t until_hour, std::int64_t& in_period);
  // Whether few alarms (kFewSeenSince) were last seen since since_ms: then
  // list() takes a since without until from the last_seen index.
  bool few_seen_since(std::int64_t since_ms);
  std::optional<ContainerRecord> find_container(const std::string& where,
                                                const std::vector<std::string>& params);

  const StoreOptions opts_;
  std::mutex mu_;
  SqliteConnection conn_;
  std::unique_ptr<BackgroundIntegrityCheck> background_check_;  // files too large to check at open
};

}  // namespace cshield
