// Folding repeats in memory: alarms with equal fold keys (Alarm::fold_key)
// in one batch become one, as the store folds rows: counts add up, the
// earliest first_seen is kept, and the latest occurrence's process and
// evidence describe the result. Order of first appearance is kept. Pure.
#pragma once

#include <cstddef>
#include <vector>

#include "core/alarm.h"

namespace cshield {

// Folds `batch` in place; returns how many alarms were folded into others.
std::size_t coalesce_repeats(std::vector<Alarm>& batch);

}  // namespace cshield
