// A small JSON reader that remembers the line of every value and keeps an
// object's members in order, duplicates included, so that policy errors can
// name the file and line of what is wrong ("web.json:4: unknown key ...").
// Policy documents are small; this is not a general-purpose parser (numbers
// are kept as text, nesting is limited to 64 levels). Plain value types.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cshield {

struct JsonNode {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  int line = 1;                 // where the value starts (1-based)
  std::string text;             // string value (unescaped), number text, "true"/"false"
  std::vector<JsonNode> items;  // array elements
  std::vector<std::pair<std::string, JsonNode>> members;  // object members in order
  std::vector<int> member_lines;                          // the line of each member's key

  const char* kind_name() const;
};

struct JsonParseError {
  int line = 1;
  std::string message;
};

// The document, or the first syntax error.
std::optional<JsonNode> parse_json_tree(const std::string& text, JsonParseError& error);

}  // namespace cshield
