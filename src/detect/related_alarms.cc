#include "detect/related_alarms.h"

#include "detect/event_facts.h"

namespace cshield {

void link_related_alarms(std::vector<Alarm>& raised) {
  const Alarm* escape = nullptr;
  for (const auto& a : raised)
    if (a.type == "vulnerability_escape" && a.subtype != "brute_force") {
      escape = &a;
      break;
    }
  if (!escape) return;
  const std::string related = "\"related\":{\"type\":" + json_quote(escape->type) +
                              ",\"subtype\":" + json_quote(escape->subtype) + "}";
  for (auto& a : raised) {
    if (a.type != "high_risk_syscall" || a.syscall != escape->syscall) continue;
    std::string& ev = a.evidence_json;
    const auto close = ev.rfind('}');
    if (close == std::string::npos) continue;
    const bool empty = ev.find_first_not_of(" \t\n", ev.find('{') + 1) == close;
    ev.insert(close, (empty ? "" : ",") + related);
  }
}

}  // namespace cshield
