#include "detect/signature_db.h"

#include <cctype>
#include <sstream>

namespace cshield {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

SignatureDb::Parse SignatureDb::parse(const std::string& text) {
  Parse out;
  std::istringstream in(text);
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    std::size_t end = 0;
    while (end < line.size() && !is_space(line[end])) ++end;
    std::string hash = line.substr(0, end);
    const std::string name = trim(line.substr(end));
    bool hex = true;
    for (auto& c : hash) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) hex = false;
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!hex) {
      out.errors.push_back({number, "'" + hash + "' is not a SHA-256: it has characters other than hex digits"});
      continue;
    }
    if (hash.size() != 64) {
      out.errors.push_back({number, "'" + hash + "' is not a SHA-256: it has " + std::to_string(hash.size()) +
                                        " hex digits, not 64"});
      continue;
    }
    if (name.empty()) {
      out.errors.push_back({number, "the hash has no name after it (\"<sha256> <name>\")"});
      continue;
    }
    if (!out.db.names_.emplace(hash, name).second)
      out.warnings.push_back({number, "hash " + hash + " is listed again; the first name ('" + out.db.names_[hash] +
                                          "') stays"});
  }
  return out;
}

const std::string* SignatureDb::find(const std::string& sha256) const {
  auto it = names_.find(sha256);
  return it == names_.end() ? nullptr : &it->second;
}

}  // namespace cshield
