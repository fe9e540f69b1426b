#include "alarm/coalesce.h"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace cshield {

std::size_t coalesce_repeats(std::vector<Alarm>& batch) {
  if (batch.size() < 2) return 0;
  std::unordered_map<std::string, std::size_t> first;  // fold key -> index in `kept`
  std::vector<Alarm> kept;
  kept.reserve(batch.size());
  for (auto& a : batch) {
    auto [it, inserted] = first.emplace(a.fold_key(), kept.size());
    if (inserted) {
      kept.push_back(std::move(a));
      continue;
    }
    Alarm& into = kept[it->second];
    into.count += a.count;
    into.first_seen_ms = std::min(into.first_seen_ms, a.first_seen_ms);
    if (a.last_seen_ms >= into.last_seen_ms) {
      // The latest occurrence's evidence and process describe the row best.
      const auto first_seen = into.first_seen_ms;
      const auto count = into.count;
      into = std::move(a);
      into.first_seen_ms = first_seen;
      into.count = count;
    }
  }
  const std::size_t folded = batch.size() - kept.size();
  batch.swap(kept);
  return folded;
}

}  // namespace cshield
