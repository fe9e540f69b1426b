#include "app/record_queue_bound.h"

#include <cstdint>

namespace cshield {

std::size_t record_queue_bound(std::size_t queued, std::chrono::steady_clock::duration since_taken,
                               const std::function<bool()>& must_drain) {
  if (queued < kSteadyChunks) return kSteadyChunks;
  if (must_drain()) return SIZE_MAX;
  return since_taken > kStalledAfter ? kStalledChunks : kSteadyChunks;
}

}  // namespace cshield
