#include "alarm/coalesce.h"

#include <algorithm>
#include <unordered_map>

namespace cshield {

std::size_t coalesce_repeats(std::vector<Alarm>& batch) {
  if (batch.size() < 2) return 0;
  // Alarm::fold_key_hash -> index in `kept` (equal hashes are compared whole).
  std::unordered_multimap<std::size_t, std::size_t> first;
  std::vector<Alarm> kept;
  kept.reserve(batch.size());
  for (auto& a : batch) {
    const std::size_t hash = a.fold_key_hash();
    const auto [from, to] = first.equal_range(hash);
    const auto same = std::find_if(from, to, [&](const auto& entry) { return kept[entry.second].same_fold_key(a); });
    if (same == to) {
      first.emplace(hash, kept.size());
      kept.push_back(std::move(a));
      continue;
    }
    Alarm& into = kept[same->second];
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
