#include "core/change_signal.h"

namespace cshield {

std::uint64_t ChangeSignal::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void ChangeSignal::notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

void ChangeSignal::wake_all() {
  // Taking the lock orders this after a waiter's check of its predicate:
  // the waiter either sees the predicate true or is already waiting.
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_all();
}

std::optional<std::uint64_t> ChangeSignal::wait_past(std::uint64_t seen,
                                                     std::chrono::steady_clock::time_point deadline,
                                                     const std::function<bool()>& give_up) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return generation_ != seen || (give_up && give_up()); });
  if (generation_ != seen) return generation_;
  return std::nullopt;
}

}  // namespace cshield
