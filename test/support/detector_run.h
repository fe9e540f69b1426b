// Running one detector over one event as the pipeline would: its wants()
// pre-filter first, the process read from the event, the given container.
#pragma once

#include <vector>

#include "detect/detector.h"
#include "detect/event_facts.h"

namespace cshield::testing {

inline std::vector<Alarm> run_detector(const Detector& d, const AuditEvent& ev, const ContainerInfo* c) {
  std::vector<Alarm> out;
  if (!d.wants(ev)) return out;
  ProcessInfo p = process_from_event(ev);
  d.evaluate(EventContext{ev, p, c}, out);
  return out;
}

// A runc container whose id is 64 times `fill`.
inline ContainerInfo test_container(char fill = 'a') {
  ContainerInfo c;
  c.id = std::string(64, fill);
  c.runtime = "runc";
  c.name = "ctr";
  return c;
}

}  // namespace cshield::testing
