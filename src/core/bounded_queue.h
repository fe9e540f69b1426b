// A bounded multi-producer multi-consumer queue. try_push() never blocks a
// producer: a push into a full queue is dropped and counted. push_for() is
// for a producer that can wait (backpressure): it waits, with a deadline,
// until the queue holds fewer than `limit` items. Consumers wait with a
// deadline. Thread-safe. close() wakes every waiter; pops drain what is left.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace cshield {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

  // False (and the drop counted) when full or closed.
  bool try_push(T item) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || items_.size() >= capacity_) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      items_.push_back(std::move(item));
      if (items_.size() > high_water_) high_water_ = items_.size();
    }
    cv_.notify_one();
    return true;
  }

  // Waits until fewer than min(limit, capacity) items are queued, then moves
  // `item` in and returns true. False, with `item` untouched and no drop
  // counted, on timeout or when closed.
  bool push_for(T& item, std::chrono::milliseconds timeout, std::size_t limit = SIZE_MAX) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      const std::size_t bound = std::min(limit, capacity_);
      ++waiting_producers_;
      space_.wait_for(lock, timeout, [&] { return closed_ || items_.size() < bound; });
      --waiting_producers_;
      if (closed_ || items_.size() >= bound) return false;
      items_.push_back(std::move(item));
      if (items_.size() > high_water_) high_water_ = items_.size();
    }
    cv_.notify_one();
    return true;
  }

  // Waits until an item is there, the queue is closed and empty, or the
  // timeout passes; nullopt in the last two cases.
  std::optional<T> pop_for(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    if (waiting_producers_ > 0) space_.notify_one();
    return item;
  }

  // Moves up to `max` items into `out` without waiting; returns how many.
  template <typename Out>
  std::size_t drain(Out& out, std::size_t max) {
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t n = 0;
    while (n < max && !items_.empty()) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
      ++n;
    }
    if (n > 0 && waiting_producers_ > 0) space_.notify_all();
    return n;
  }

  void close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    space_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }
  // Closed and nothing left to pop: a consumer may stop.
  bool finished() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ && items_.empty();
  }
  std::size_t high_water() const {
    std::lock_guard<std::mutex> lock(mu_);
    return high_water_;
  }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;     // items or closed: consumers
  std::condition_variable space_;  // room or closed: push_for() producers
  std::size_t waiting_producers_ = 0;
  std::deque<T> items_;
  std::size_t high_water_ = 0;
  bool closed_ = false;
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace cshield
