// Which fold keys (Alarm::fold_key_hash) were seen lately: the store writer
// asks it for every alarm published, so that an alarm that is not a repeat
// (another container's, a new file) is written without waiting for the
// gather a storm of repeats is written in.
// A key counts as seen for between `window` and twice `window` after it was
// last seen (two generations of keys; the older one is forgotten when the
// newer one is `window` old or holds `max_keys`), so memory stays bounded.
// Keys are hashes: two keys with equal hashes count as one, which only
// makes the newer one wait for a gather. Not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <unordered_set>

namespace cshield {

class RecentKeys {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RecentKeys(Clock::duration window = std::chrono::seconds(2), std::size_t max_keys = 4096);

  // Notes `key` as seen at `now`; true when it was not seen lately.
  bool note(std::size_t key, Clock::time_point now);

 private:
  void rotate(Clock::time_point now);

  Clock::duration window_;
  std::size_t max_keys_;
  Clock::time_point since_{};  // when `current_` began
  std::unordered_set<std::size_t> current_, previous_;
};

}  // namespace cshield
