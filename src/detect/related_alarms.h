// Alarms that different detectors raise for one event and that describe one
// act. A high_risk_syscall alarm whose call is also a vulnerability escape
// (open_by_handle_at is shocker, finit_module kernel_module) names that escape
// in evidence.related = {"type":"vulnerability_escape","subtype":"shocker"}, so
// the operator sees one attempt behind the two rows. brute_force, which counts
// many events, is never named. Pure; applied by the pipeline to the alarms of
// one event before they are published.
#pragma once

#include <vector>

#include "core/alarm.h"

namespace cshield {

void link_related_alarms(std::vector<Alarm>& raised_for_one_event);

}  // namespace cshield
