// JSON text written by hand where a document is built as a string (stored
// postures, policy groups). Pure.
#pragma once

#include <string>

namespace cshield {

// `s` as a JSON string literal, quotes included: '"', '\' and control
// characters escaped, every other byte (UTF-8 included) as it is, so that a
// JSON reader gives back exactly `s`. (Detector evidence, which may hold
// arbitrary bytes, uses detect/event_facts.h json_quote instead.)
std::string json_string(const std::string& s);

}  // namespace cshield
