#include "export/alarm_export_json.h"

#include "api/alarm_json.h"

namespace cshield {

std::string alarm_export_json(const Alarm& alarm) {
  auto o = alarm_to_json(alarm);
  if (alarm.id == 0) o->set("id", Poco::Dynamic::Var());
  return to_json_text(o);
}

}  // namespace cshield
