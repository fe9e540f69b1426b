// A small INI reader that remembers where every key was written, so that
// configuration errors can name file and line. Syntax as
// Poco::Util::IniFileConfiguration reads it: [section], key = value,
// comment lines starting with ';' or '#', and trailing "; comment" after
// whitespace. Keys and sections are case-sensitive, values trimmed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cshield {

struct IniEntry {
  std::string section, key, value;
  int line = 0;
};

struct IniIssue {
  int line = 0;
  std::string message;
};

struct IniFile {
  std::string path;
  std::vector<IniEntry> entries;  // in file order; a repeated key appears twice
  std::vector<IniIssue> issues;   // syntax errors

  // Parses `text`; `path` is only used in messages.
  static IniFile parse(const std::string& text, const std::string& path);
  // Reads and parses; nullopt (with `error` set) when the file cannot be read.
  static std::optional<IniFile> load(const std::string& path, std::string& error);
};

}  // namespace cshield
