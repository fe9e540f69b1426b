// Tests' way from literal audit record text to assembled events: through the
// real EventAssembler, so fixtures are parsed exactly as the daemon parses.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "audit/event_assembler.h"

namespace cshield::testing {

// The bytes of `v` in upper-case hexadecimal, as the kernel encodes values.
inline std::string hex_bytes(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : v) {
    out.push_back(hex[ch >> 4]);
    out.push_back(hex[ch & 15]);
  }
  return out;
}

// A field value as the kernel writes it: quoted, or hex when it has a space
// or a quote.
inline std::string audit_value(const std::string& v) {
  if (v.find_first_of(" \"") == std::string::npos) return "\"" + v + "\"";
  return hex_bytes(v);
}

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
