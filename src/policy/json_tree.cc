#include "policy/json_tree.h"

#include <cctype>

namespace cshield {

const char* JsonNode::kind_name() const {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "a boolean";
    case Kind::kNumber: return "a number";
    case Kind::kString: return "a string";
    case Kind::kArray: return "an array";
    case Kind::kObject: return "an object";
  }
  return "a value";
}

namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  Reader(const std::string& text, JsonParseError& error) : s_(text), error_(error) {}

  std::optional<JsonNode> document() {
    JsonNode n;
    if (!value(n, 0)) return std::nullopt;
    skip_space();
    if (pos_ != s_.size()) return fail("unexpected text after the JSON value");
    return n;
  }

 private:
  std::nullopt_t fail(const std::string& message) {
    error_.line = line_;
    error_.message = message;
    return std::nullopt;
  }
  bool failed(const std::string& message) {
    fail(message);
    return false;
  }

  void skip_space() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\n') ++line_;
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
      ++pos_;
    }
  }

  bool literal(const char* word, JsonNode& n, JsonNode::Kind kind) {
    const std::string w(word);
    if (s_.compare(pos_, w.size(), w) != 0) return failed("invalid JSON value");
    pos_ += w.size();
    n.kind = kind;
    if (kind == JsonNode::Kind::kBool) n.text = w;
    return true;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(unsigned& v) {
    if (pos_ + 4 > s_.size()) return failed("truncated \\u escape");
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else return failed("invalid \\u escape");
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= s_.size()) return failed("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return failed("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return failed("unterminated string");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.compare(pos_, 2, "\\u") == 0) {
            pos_ += 2;
            unsigned lo = 0;
            if (!hex4(lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return failed("invalid surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: return failed(std::string("invalid escape \\") + e);
      }
    }
  }

  bool number(JsonNode& n) {
    const std::size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    bool digits = false;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
                                s_[pos_] == 'e' || s_[pos_] == 'E' || s_[pos_] == '+' || s_[pos_] == '-')) {
      digits = true;
      ++pos_;
    }
    if (!digits) return failed("invalid number");
    n.kind = JsonNode::Kind::kNumber;
    n.text = s_.substr(start, pos_ - start);
    return true;
  }

  bool value(JsonNode& n, int depth) {
    if (depth > kMaxDepth) return failed("nested too deeply");
    skip_space();
    n.line = line_;
    if (pos_ >= s_.size()) return failed("unexpected end of input");
    const char c = s_[pos_];
    if (c == '{') return object(n, depth);
    if (c == '[') return array(n, depth);
    if (c == '"') {
      n.kind = JsonNode::Kind::kString;
      return string(n.text);
    }
    if (c == 't') return literal("true", n, JsonNode::Kind::kBool);
    if (c == 'f') return literal("false", n, JsonNode::Kind::kBool);
    if (c == 'n') return literal("null", n, JsonNode::Kind::kNull);
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number(n);
    return failed(std::string("unexpected character '") + c + "'");
  }

  bool array(JsonNode& n, int depth) {
    n.kind = JsonNode::Kind::kArray;
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      JsonNode item;
      if (!value(item, depth + 1)) return false;
      n.items.push_back(std::move(item));
      skip_space();
      if (pos_ >= s_.size()) return failed("unterminated array");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return failed("expected ',' or ']' in an array");
    }
  }

  bool object(JsonNode& n, int depth) {
    n.kind = JsonNode::Kind::kObject;
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != '"') return failed("expected a quoted key in an object");
      const int key_line = line_;
      std::string key;
      if (!string(key)) return false;
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ':') return failed("expected ':' after the key \"" + key + "\"");
      ++pos_;
      JsonNode v;
      if (!value(v, depth + 1)) return false;
      n.members.emplace_back(std::move(key), std::move(v));
      n.member_lines.push_back(key_line);
      skip_space();
      if (pos_ >= s_.size()) return failed("unterminated object");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return failed("expected ',' or '}' in an object");
    }
  }

  const std::string& s_;
  JsonParseError& error_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::optional<JsonNode> parse_json_tree(const std::string& text, JsonParseError& error) {
  return Reader(text, error).document();
}

}  // namespace cshield
