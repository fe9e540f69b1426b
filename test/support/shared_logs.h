// The real audit logs under shared/data/audit-logs (CSHIELD_SHARED_DIR, set
// for every test): each test that must hold for all of them reads them here.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cshield::testing {

// Every .log and .txt file below the shared logs' directory, sorted.
inline std::vector<std::filesystem::path> shared_log_files() {
  std::vector<std::filesystem::path> logs;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::filesystem::path(CSHIELD_SHARED_DIR) / "data/audit-logs")) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".log" || ext == ".txt")) logs.push_back(entry.path());
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

// A file's bytes, whole.
inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cshield::testing
