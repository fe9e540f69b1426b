// A generation count that threads can wait on to move: whoever makes a
// change visible calls notify() afterwards (the store writer after each
// committed batch); a reader notes generation() before it looks at the
// state and, when it found nothing, waits for the count to pass what it
// noted. A change made between the look and the wait is therefore never
// missed, and a reader never polls.
// Thread-safe. Waiting is bounded by a deadline and by a caller's give-up
// predicate, re-checked whenever wake_all() is called (shutdown).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace cshield {

class ChangeSignal {
 public:
  std::uint64_t generation() const;
  // One more change is visible: the generation moves on, every waiter wakes.
  void notify();
  // Wakes every waiter to re-check its give-up predicate; the generation stays.
  // Make the predicate true before calling it.
  void wake_all();
  // Blocks until the generation differs from `seen` (returns it), or until
  // `deadline` passes or `give_up()` is true (nullopt; the caller can tell
  // the two apart by asking its predicate). `give_up` runs under the
  // signal's lock: it must be quick and must not call back into the signal.
  std::optional<std::uint64_t> wait_past(std::uint64_t seen, std::chrono::steady_clock::time_point deadline,
                                         const std::function<bool()>& give_up);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;
};

}  // namespace cshield
