// The globs of policy groups: shell patterns (fnmatch(3): *, ?, [...]).
// Path globs are absolute and '*' does not cross '/'; name globs (images,
// container names) match the whole text. Pure functions.
#pragma once

#include <optional>
#include <string>

namespace cshield {

// Why `pattern` is not a usable glob, or nullopt when it is. A path glob must
// start with '/' and have no empty, "." or ".." component.
std::optional<std::string> glob_problem(const std::string& pattern, bool path);

bool glob_matches(const std::string& pattern, const std::string& text, bool path);

// Whether the pattern has any glob character (*, ?, [).
bool has_glob_chars(const std::string& pattern);

}  // namespace cshield
