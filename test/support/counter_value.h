// The value of a counter or gauge by name in a Counters registry, 0 when it
// is not registered: what tests assert counters with.
#pragma once

#include <cstdint>
#include <string>

#include "core/counters.h"

namespace cshield::testing {

inline std::uint64_t counter_value(const Counters& counters, const std::string& name) {
  for (const auto& c : counters.snapshot())
    if (c.name == name) return c.value;
  return 0;
}

}  // namespace cshield::testing
