// The malicious-program signature database: SHA-256 hashes of known
// malicious files, each with a name. Parsed from text, one entry a line:
//   <64 hex digits> <name>      (the name is the rest of the line)
// Blank lines and lines starting with '#' are ignored; hashes are compared
// in lower case. Every bad line is reported with its line number; a
// duplicate hash is a warning (the first name stays). Immutable once
// parsed: share it freely between threads.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace cshield {

struct SignatureMessage {
  int line = 0;
  std::string text;
};

class SignatureDb {
 public:
  struct Parse;
  static Parse parse(const std::string& text);

  // The name of a hash (lower-case hex), nullptr when unknown.
  const std::string* find(const std::string& sha256) const;
  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_map<std::string, std::string> names_;
};

struct SignatureDb::Parse {
  SignatureDb db;  // the good lines, also when there are errors
  std::vector<SignatureMessage> errors;
  std::vector<SignatureMessage> warnings;
};

}  // namespace cshield
