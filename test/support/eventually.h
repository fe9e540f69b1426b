// Polls `done` until it holds or `timeout` passes: a deadline for a result
// another thread produces, never a fixed sleep. Returns whether it held.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace cshield::testing {

inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace cshield::testing
