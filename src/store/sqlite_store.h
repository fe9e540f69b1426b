// The alarm store on one SQLite file: the writer thread's AlarmWriter and the
// API's AlarmRepository.
//
// Thread safety: each instance owns one connection and serialises every call
// on a mutex. Several instances may use one file at once (WAL): typically one
// writer and one for the API; writers wait for each other up to 5 s.
// Errors: every method throws StoreError when SQLite fails (the batch or
// statement is rolled back); callers on pipeline threads must catch it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/alarm_repository.h"
#include "store/sqlite_connection.h"
#include "store/store_error.h"

namespace cshield {

struct StoreOptions {
  int retention_days = 90;                       // <= 0: no age limit
  std::int64_t max_alarms = 1000000;             // <= 0: no count limit
  std::int64_t fold_window_ms = 10 * 60 * 1000;  // repeats closer than this fold
  bool read_only = false;                        // no writes; the schema must exist
};

class SqliteStore final : public AlarmWriter, public AlarmRepository {
 public:
  // Opens or creates the file (never its directory) and migrates it; see
  // setup_schema() for what is refused. Throws StoreError naming the file.
  SqliteStore(const std::string& path, StoreOptions opts);

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
  std::optional<Alarm> get_locked(std::int64_t id);
  // Whether fewer alarms were last seen from since's hour to until's hour
  // than after it (by alarm_hour_counts): which way list() finds a period.
  bool fewer_in_period_than_after(std::int64_t since_ms, std::int64_t until_hour);
  std::optional<ContainerRecord> find_container(const std::string& where,
                                                const std::vector<std::string>& params);

  const StoreOptions opts_;
  std::mutex mu_;
  SqliteConnection conn_;
};

}  // namespace cshield
