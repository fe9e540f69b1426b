// Tests' way from literal audit record text to assembled events: through the
// real EventAssembler, so fixtures are parsed exactly as the daemon parses.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "audit/event_assembler.h"

namespace cshield::testing {

inline std::vector<AuditEvent> events_of(const std::string& records) {
  std::vector<AuditEvent> out;
  EventAssembler assembler([&](AuditEvent&& e) { out.push_back(std::move(e)); }, nullptr);
  assembler.feed(records);
  assembler.flush();
  return out;
}

// The one event `records` make up (the test fails otherwise).
inline AuditEvent one_event(const std::string& records) {
  auto events = events_of(records);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  return events.front();
}

}  // namespace cshield::testing
