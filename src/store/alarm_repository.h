// The store's interfaces: AlarmWriter for the writer thread, AlarmRepository
// for the API. Implementations are thread-safe (SqliteStore serialises on one
// connection per instance; SqliteReaderPool reads on several at once).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/alarm.h"
#include "core/container_info.h"

namespace cshield {

struct AlarmQuery {
  std::optional<std::string> type, subtype, severity, status;
  std::optional<std::string> container;  // full id, id prefix of 12+ chars, or name
  std::optional<std::string> image;
  std::optional<std::int64_t> since_ms, until_ms;  // on last_seen / first_seen
  int limit = 50;                                  // 1..1000
  std::optional<std::int64_t> before_id;           // the decoded cursor: ids < before_id
};

struct AlarmPage {
  std::vector<Alarm> items;  // newest first (id descending)
  std::optional<std::int64_t> next_before_id;  // nullopt: no further page
};

struct AlarmSummary {
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> by_type, by_severity, by_status;
};

struct ContainerRecord {
  ContainerInfo info;
  std::int64_t first_seen_ms = 0, last_seen_ms = 0;
  std::optional<std::int64_t> stopped_ms;
  std::optional<std::int64_t> started_ms;   // latest start judged; nullopt when never seen starting
  std::optional<std::string> posture_json;  // posture at that start (a JSON object, container_inventory.h)
  std::string findings_json = "[]";  // startup findings (ALARMS.md spelling), a JSON array
  std::optional<std::string> policy_group;  // the policy group it is associated with, while running
  std::map<std::string, std::int64_t> alarm_counts;  // by type
};

class AlarmWriter {
 public:
  virtual ~AlarmWriter() = default;
  // Writes a batch in one transaction. An alarm whose fold key matches an
  // unhandled row last seen within the fold window folds into it (count +=
  // alarm.count, last_seen = max). Returns the row id of each alarm, in order.
  virtual std::vector<std::int64_t> write(const std::vector<Alarm>& alarms) = 0;
  // Records a container as seen (insert or refresh names/image, last_seen).
  virtual void upsert_container(const ContainerInfo& c, std::int64_t seen_ms) = 0;
  // Deletes alarms last seen before now - retention, then the oldest beyond
  // max_alarms. Returns how many rows were deleted.
  virtual std::int64_t apply_retention(std::int64_t now_ms) = 0;
};

class AlarmRepository {
 public:
  virtual ~AlarmRepository() = default;
  virtual AlarmPage list(const AlarmQuery& q) = 0;
  virtual std::optional<Alarm> get(std::int64_t id) = 0;
  // nullopt when there is no such alarm. status is one of unhandled|handled|ignored.
  virtual std::optional<Alarm> update_status(std::int64_t id, const std::string& status,
                                             const std::optional<std::string>& note) = 0;
  virtual AlarmSummary summary(std::optional<std::int64_t> since_ms,
                               std::optional<std::int64_t> until_ms) = 0;
  virtual std::vector<ContainerRecord> containers() = 0;
  // Full id, or id prefix of 12+ chars, or name.
  virtual std::optional<ContainerRecord> container(const std::string& id_or_name) = 0;
  virtual std::int64_t alarm_count() = 0;
};

}  // namespace cshield
