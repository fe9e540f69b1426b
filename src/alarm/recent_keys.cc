#include "alarm/recent_keys.h"

#include <utility>

namespace cshield {

RecentKeys::RecentKeys(Clock::duration window, std::size_t max_keys) : window_(window), max_keys_(max_keys) {}

void RecentKeys::rotate(Clock::time_point now) {
  if (now - since_ >= 2 * window_)
    previous_.clear();  // the newer generation is older than the window too
  else
    previous_ = std::move(current_);
  current_.clear();
  since_ = now;
}

bool RecentKeys::note(std::size_t key, Clock::time_point now) {
  if (now - since_ >= window_ || current_.size() >= max_keys_) rotate(now);
  if (current_.count(key)) return false;
  current_.insert(key);
  return previous_.count(key) == 0;
}

}  // namespace cshield
