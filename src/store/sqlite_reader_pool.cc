#include "store/sqlite_reader_pool.h"

#include <algorithm>

namespace cshield {

namespace {

StoreOptions read_only(StoreOptions opts) {
  opts.read_only = true;
  opts.check_at_open_bytes = 0;
  return opts;
}

}  // namespace

SqliteReaderPool::SqliteReaderPool(const std::string& path, const StoreOptions& opts, std::size_t readers)
    : writer_(path, opts) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, readers); ++i) {
    readers_.push_back(std::make_unique<SqliteStore>(path, read_only(opts)));
    free_.push_back(readers_.back().get());
  }
}

SqliteReaderPool::Lease::Lease(SqliteReaderPool& pool) : pool_(pool) {
  std::unique_lock<std::mutex> lock(pool_.mu_);
  pool_.freed_.wait(lock, [this] { return !pool_.free_.empty(); });
  store_ = pool_.free_.back();
  pool_.free_.pop_back();
}

SqliteReaderPool::Lease::~Lease() {
  {
    std::lock_guard<std::mutex> lock(pool_.mu_);
    pool_.free_.push_back(store_);
  }
  pool_.freed_.notify_one();
}

AlarmPage SqliteReaderPool::list(const AlarmQuery& q) { return Lease(*this)->list(q); }

std::optional<Alarm> SqliteReaderPool::get(std::int64_t id) { return Lease(*this)->get(id); }

std::optional<Alarm> SqliteReaderPool::update_status(std::int64_t id, const std::string& status,
                                                     const std::optional<std::string>& note) {
  return writer_.update_status(id, status, note);
}

AlarmSummary SqliteReaderPool::summary(std::optional<std::int64_t> since_ms,
                                       std::optional<std::int64_t> until_ms) {
  return Lease(*this)->summary(since_ms, until_ms);
}

std::vector<ContainerRecord> SqliteReaderPool::containers() { return Lease(*this)->containers(); }

std::optional<ContainerRecord> SqliteReaderPool::container(const std::string& id_or_name) {
  return Lease(*this)->container(id_or_name);
}

std::int64_t SqliteReaderPool::alarm_count() { return Lease(*this)->alarm_count(); }

}  // namespace cshield
