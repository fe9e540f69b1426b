#include "detect/event_window.h"

#include <algorithm>

namespace cshield {

EventWindow::EventWindow(std::size_t threshold, std::int64_t window_ms, std::size_t max_keys)
    : threshold_(std::max<std::size_t>(threshold, 1)),
      window_ms_(std::max<std::int64_t>(window_ms, 0)),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {}

bool EventWindow::add(const std::string& key, std::int64_t time_ms) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      entries_.erase(by_age_.back());
      by_age_.pop_back();
    }
    by_age_.push_front(key);
    it = entries_.emplace(key, Entry{{}, by_age_.begin()}).first;
  } else {
    by_age_.splice(by_age_.begin(), by_age_, it->second.age);
  }
  auto& times = it->second.times;
  if (!times.empty()) time_ms = std::max(time_ms, times.back());
  times.push_back(time_ms);
  while (!times.empty() && times.front() < time_ms - window_ms_) times.pop_front();
  while (times.size() > threshold_) times.pop_front();
  if (times.size() < threshold_) return false;
  times.clear();
  return true;
}

std::size_t EventWindow::count(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.times.size();
}

}  // namespace cshield
