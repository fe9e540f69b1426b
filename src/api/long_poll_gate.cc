#include "api/long_poll_gate.h"

namespace cshield {

std::optional<LongPollGate::Slot> LongPollGate::enter() {
  if (closed_) return std::nullopt;
  std::size_t held = held_.load();
  do {
    if (held >= max_waiters_) return std::nullopt;
  } while (!held_.compare_exchange_weak(held, held + 1));
  return Slot(*this);
}

void LongPollGate::close(ChangeSignal* signal) {
  closed_ = true;
  if (signal) signal->wake_all();
}

}  // namespace cshield
