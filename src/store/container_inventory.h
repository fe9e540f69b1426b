// The container inventory's writes and the startup judgements, on their own
// connection to the alarm database (which SqliteStore has created and
// migrated): a container's starts with their posture, its stop, and which
// starts were judged for abnormal_startup.
//
// Thread safety: serialises every call on a mutex. Errors: every method
// throws StoreError when SQLite fails.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/container_posture.h"
#include "store/sqlite_connection.h"

namespace cshield {

// The posture as the API shows it (a JSON object).
std::string posture_json(const ContainerPosture& posture);

class ContainerInventory {
 public:
  // The database must exist with the current schema (SqliteStore made it).
  explicit ContainerInventory(const std::string& path);

  // Records a start: the container (inserted or refreshed like an alarm's),
  // its start time and posture, running again (stopped_ms cleared), and the
  // start as judged.
  void record_start(const ContainerStart& start, std::int64_t judged_ms);
  // Marks a running container stopped; false when it is unknown or stopped.
  bool record_stop(const std::string& id, std::int64_t stopped_ms);
  // Whether a judged start of `id` lies within [from_ms, to_ms].
  bool judged(const std::string& id, std::int64_t from_ms, std::int64_t to_ms);
  // Ids of the containers the inventory believes running.
  std::vector<std::string> running();

 private:
  std::mutex mu_;
  SqliteConnection conn_;
};

}  // namespace cshield
