// cshieldd writes its alarms into the audit stream (core/own_record_types.h)
// and, reading that stream, gets them back: in netlink and multicast mode
// from the kernel, in plugin mode from auditd. They are dropped before the
// parser sees them.
#pragma once

#include <cstddef>
#include <string>

#include "core/counters.h"

namespace cshield {

// Removes from `records` (complete text lines, "[node=N ]type=NAME msg=...")
// every line whose type is one of cshieldd's own (core/own_record_types.h);
// returns how many.
std::size_t drop_own_records(std::string& records);

// The counter of own records skipped, whichever way (source.own_records).
Counter& own_records_counter(Counters& counters);

}  // namespace cshield
