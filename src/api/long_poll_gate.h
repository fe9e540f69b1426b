// Admits and ends the API requests that are held open until something new
// is stored (GET /api/v1/alarms?wait=N). A held request keeps one of the
// listener's worker threads, so at most `max_waiters` are held at once
// (beyond that enter() refuses and the caller answers 503 at once), and
// close() makes every held one give up promptly (server stop), so that
// stopping never waits for a long-poll to time out.
// Thread-safe: enter() and the Slot from any worker thread, close()/open()
// from the server's controlling thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>

#include "core/change_signal.h"

namespace cshield {

class LongPollGate {
 public:
  // While alive, one of the max_waiters places is taken.
  class Slot {
   public:
    explicit Slot(LongPollGate& gate) : gate_(&gate) {}
    Slot(Slot&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (gate_) gate_->held_.fetch_sub(1);
    }

   private:
    LongPollGate* gate_;
  };

  explicit LongPollGate(std::size_t max_waiters) : max_waiters_(max_waiters) {}

  // A place to wait in; nullopt when max_waiters are held or the gate is closed.
  std::optional<Slot> enter();
  // From now on enter() refuses and closed() is true; wakes the waiters of
  // `signal` (may be null) so that they see it. Idempotent.
  void close(ChangeSignal* signal);
  // Admits waiters again (a restarted server).
  void open() { closed_ = false; }
  // The give-up predicate of a held request.
  bool closed() const { return closed_; }
  std::size_t max_waiters() const { return max_waiters_; }
  std::size_t held() const { return held_; }

 private:
  const std::size_t max_waiters_;
  std::atomic<std::size_t> held_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace cshield
