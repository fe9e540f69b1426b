// Whether a text begins or ends with another (std::string_view has neither
// before C++20). Pure.
#pragma once

#include <string_view>

namespace cshield {

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace cshield
