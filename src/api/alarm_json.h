// JSON views of alarms and containers in the shapes of API.md ("An alarm",
// the containers endpoints). Used by the REST API, cshieldctl replay and the
// exporters. Pure functions; safe from any thread.
#pragma once

#include <string>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/alarm.h"
#include "store/alarm_repository.h"

namespace cshield {

// Keys in API.md order. Times are RFC 3339 UTC with milliseconds; absent
// container, pod, namespace and path are null; `evidence` is the parsed
// evidence_json object (an unparsable one is kept as {"unparsed": text}).
Poco::JSON::Object::Ptr alarm_to_json(const Alarm& alarm);

// id, runtime, name, image, pod, namespace, first_seen, last_seen, stopped
// (null while running), findings (array of strings), alarm_counts (by type).
Poco::JSON::Object::Ptr container_to_json(const ContainerRecord& record);

// {"total":N,"by_type":{},"by_severity":{},"by_status":{}}
Poco::JSON::Object::Ptr summary_to_json(const AlarmSummary& summary);

// Compact by default; `indent` > 0 pretty-prints with that many spaces a level.
std::string to_json_text(const Poco::JSON::Object::Ptr& object, unsigned indent = 0);
std::string to_json_text(const Poco::JSON::Array::Ptr& array, unsigned indent = 0);

}  // namespace cshield
