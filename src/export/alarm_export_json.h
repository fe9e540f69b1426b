// The JSON an alarm is exported as: the API's alarm object (api/alarm_json.h),
// compact, on one line. Exporters see an alarm before the store gives it a
// row id, so "id" is null; "audit"."serial" and "time" name the event.
#pragma once

#include <string>

#include "core/alarm.h"

namespace cshield {

std::string alarm_export_json(const Alarm& alarm);

}  // namespace cshield
