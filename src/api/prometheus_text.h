// The Prometheus text exposition format (version 0.0.4) of the daemon's
// counters, for GET /metrics. "source.records" becomes
// cshield_source_records_total (a counter) or cshield_source_records (a
// gauge), each with HELP and TYPE lines. Safe from any thread.
#pragma once

#include <string>

#include "core/counters.h"

namespace cshield {

std::string prometheus_text(const Counters& counters);

}  // namespace cshield
