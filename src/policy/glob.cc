#include "policy/glob.h"

#include <fnmatch.h>

namespace cshield {

bool has_glob_chars(const std::string& pattern) { return pattern.find_first_of("*?[") != std::string::npos; }

std::optional<std::string> glob_problem(const std::string& pattern, bool path) {
  if (pattern.empty()) return "empty pattern";
  if (pattern.find('\0') != std::string::npos) return "NUL byte in pattern";
  // Brackets must close; a trailing backslash escapes nothing.
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) return "trailing backslash";
      ++i;
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') {
        if (path && pattern[j] == '/') return "'[' without a closing ']' before '/'";
        ++j;
      }
      if (j >= pattern.size()) return "'[' without a closing ']'";
      if (j == i + 1) return "empty bracket expression";
      i = j;
    } else if (c == ']') {
      // A lone ']' is an ordinary character for fnmatch; allowed.
    }
  }
  if (path) {
    if (pattern.front() != '/') return "not an absolute path (must start with '/')";
    std::size_t start = 1;
    while (start <= pattern.size()) {
      std::size_t end = pattern.find('/', start);
      if (end == std::string::npos) end = pattern.size();
      const std::string comp = pattern.substr(start, end - start);
      if (comp.empty() && end != pattern.size()) return "empty path component ('//')";
      if (comp == "." || comp == "..") return "'" + comp + "' path component";
      start = end + 1;
    }
    if (pattern.size() > 1 && pattern.back() == '/') return "trailing '/'";
  }
  return std::nullopt;
}

bool glob_matches(const std::string& pattern, const std::string& text, bool path) {
  return ::fnmatch(pattern.c_str(), text.c_str(), path ? FNM_PATHNAME : 0) == 0;
}

}  // namespace cshield
