#include "app/ini_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cshield {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// "value ; comment" → "value"; a ';' or '#' inside the value without
// whitespace before it stays (paths, URLs).
std::string strip_comment(const std::string& v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if ((v[i] == ';' || v[i] == '#') && (v[i - 1] == ' ' || v[i - 1] == '\t')) return v.substr(0, i);
  return v;
}

}  // namespace

IniFile IniFile::parse(const std::string& text, const std::string& path) {
  IniFile f;
  f.path = path;
  std::istringstream in(text);
  std::string raw;
  std::string section;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const std::string s = trim(raw);
    if (s.empty() || s[0] == ';' || s[0] == '#') continue;
    if (s[0] == '[') {
      const auto close = s.find(']');
      if (close == std::string::npos || trim(strip_comment(s.substr(close + 1))).size() != 0) {
        f.issues.push_back({line, "malformed section header: " + s});
        continue;
      }
      section = trim(s.substr(1, close - 1));
      if (section.empty()) f.issues.push_back({line, "empty section name"});
      continue;
    }
    const auto eq = s.find('=');
    if (eq == std::string::npos) {
      f.issues.push_back({line, "expected 'key = value', got: " + s});
      continue;
    }
    IniEntry e{section, trim(s.substr(0, eq)), trim(strip_comment(s.substr(eq + 1))), line};
    if (e.key.empty()) {
      f.issues.push_back({line, "missing key before '='"});
      continue;
    }
    if (section.empty()) {
      f.issues.push_back({line, "key '" + e.key + "' outside any [section]"});
      continue;
    }
    f.entries.push_back(std::move(e));
  }
  return f;
}

std::optional<IniFile> IniFile::load(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read: " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

}  // namespace cshield
