// The API's AlarmRepository over a small pool of read-only connections to
// the alarm database, so that concurrent API requests read in parallel
// (WAL lets readers proceed together and alongside the writer) instead of
// queueing on one connection. Writes (update_status) go to one read-write
// connection of its own; the pipeline's writer is a separate SqliteStore.
//
// Thread safety: every method may be called from any number of threads at
// once. A read takes a free read-only SqliteStore for its duration (each
// serves one call at a time) and waits for one when all `readers` are busy;
// update_status serialises on the read-write instance. Each read is one
// snapshot of the database (as with a single SqliteStore).
// Errors: as SqliteStore's (StoreError naming the file).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/alarm_repository.h"
#include "store/sqlite_store.h"

namespace cshield {

class SqliteReaderPool final : public AlarmRepository {
 public:
  // Opens the read-write instance first (it creates and migrates the file,
  // see SqliteStore), then `readers` (at least 1) read-only instances,
  // which skip the page check at open (the first instance made it).
  SqliteReaderPool(const std::string& path, const StoreOptions& opts, std::size_t readers);

  AlarmPage list(const AlarmQuery& q) override;
  std::optional<Alarm> get(std::int64_t id) override;
  std::optional<Alarm> update_status(std::int64_t id, const std::string& status,
                                     const std::optional<std::string>& note) override;
  AlarmSummary summary(std::optional<std::int64_t> since_ms,
                       std::optional<std::int64_t> until_ms) override;
  std::vector<ContainerRecord> containers() override;
  std::optional<ContainerRecord> container(const std::string& id_or_name) override;
  std::int64_t alarm_count() override;

  std::size_t readers() const { return readers_.size(); }

 private:
  // A read-only instance taken from the free list, given back on destruction.
  class Lease {
   public:
    explicit Lease(SqliteReaderPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteStore* operator->() const { return store_; }

   private:
    SqliteReaderPool& pool_;
    SqliteStore* store_;
  };

  SqliteStore writer_;
  std::vector<std::unique_ptr<SqliteStore>> readers_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<SqliteStore*> free_;  // under mu_
};

}  // namespace cshield
