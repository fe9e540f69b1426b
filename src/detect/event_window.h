// "N events of one kind from one source within a window": a sliding-window
// counter per key (a container id, say). add() records one event and says
// whether the key has now seen `threshold` events within `window_ms`; when it
// has, the key's history is cleared, so the next report needs `threshold` new
// events. Bounded: at most `max_keys` keys, each holding at most `threshold`
// times; when full, the key touched longest ago is forgotten. Times come from
// the events (any monotonic-enough millisecond clock); an event older than
// the key's newest is counted as if it came at the newest time.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <string>
#include <unordered_map>

namespace cshield {

class EventWindow {
 public:
  EventWindow(std::size_t threshold, std::int64_t window_ms, std::size_t max_keys = 1024);

  bool add(const std::string& key, std::int64_t time_ms);

  // Events currently counted for `key` (within the window of its newest event).
  std::size_t count(const std::string& key) const;
  std::size_t keys() const { return entries_.size(); }
  std::size_t threshold() const { return threshold_; }
  std::int64_t window_ms() const { return window_ms_; }

 private:
  struct Entry {
    std::deque<std::int64_t> times;  // ascending
    std::list<std::string>::iterator age;
  };
  std::size_t threshold_;
  std::int64_t window_ms_;
  std::size_t max_keys_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> by_age_;  // front: touched most recently
};

}  // namespace cshield
