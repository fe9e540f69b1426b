// Policy groups, what learning mode saw, and each container's group, on
// their own connection to the alarm database (which SqliteStore has created
// and migrated).
//
// Thread safety: serialises every call on a mutex. Errors: every method
// throws StoreError when SQLite fails; a stored definition that no longer
// parses is skipped by load() (and named in `problems`).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy_group.h"
#include "store/sqlite_connection.h"

namespace cshield {

struct LearnedExecutable {
  std::string path;
  std::int64_t first_seen_ms = 0, last_seen_ms = 0, count = 0;
};

class PolicyStore {
 public:
  explicit PolicyStore(const std::string& path);

  std::vector<PolicyGroup> load(std::vector<std::string>* problems = nullptr);
  // Inserts or replaces one group (its source and learning state included).
  void put(const PolicyGroup& group, std::int64_t now_ms);
  // False when there was no such group. Its learned executables go too.
  bool remove(const std::string& name);
  // Replaces every group whose source is not "api" by `file_groups`, in one transaction.
  void replace_file_groups(const std::vector<PolicyGroup>& file_groups, std::int64_t now_ms);

  void add_learned(const std::string& group, const std::string& path, std::int64_t seen_ms);
  std::vector<LearnedExecutable> learned(const std::string& group);
  void clear_learned(const std::string& group);

  // Records the group of a container (empty: none), whether or not the
  // inventory has its row yet.
  void set_container_group(const std::string& container_id, const std::string& group);

 private:
  void put_locked(const PolicyGroup& group, std::int64_t now_ms);

  std::mutex mu_;
  SqliteConnection conn_;
};

}  // namespace cshield
