#include "api/request_framing.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace cshield {

namespace {

// The offset just past the header's blank line; nullopt while there is none.
std::optional<std::size_t> header_end(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool contains_nocase(std::string_view haystack, std::string_view needle) {
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i)
    if (equal_nocase(haystack.substr(i, needle.size()), needle)) return true;
  return false;
}

// Parses a number in `base` (10 or 16) that must fill `s`; nullopt when it is
// empty, not a number, or beyond `cap` (it is then too large in any case).
std::optional<std::size_t> number(std::string_view s, int base, std::size_t cap) {
  if (s.empty()) return std::nullopt;
  std::size_t value = 0;
  for (char c : s) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return std::nullopt;
    value = value * static_cast<std::size_t>(base) + static_cast<std::size_t>(digit);
    if (value > cap) return cap + 1;
  }
  return value;
}

struct BodyFraming {
  bool chunked = false;
  std::optional<std::size_t> length;  // Content-Length; nullopt: none
  bool malformed = false;
};

BodyFraming body_framing(std::string_view header, std::size_t max_body) {
  BodyFraming f;
  std::size_t start = header.find('\n');  // skip the request line
  while (start != std::string_view::npos && start + 1 < header.size()) {
    const std::size_t end = header.find('\n', start + 1);
    std::string_view line = header.substr(start + 1, end == std::string_view::npos ? std::string_view::npos
                                                                                    : end - start - 1);
    start = end;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (equal_nocase(name, "Transfer-Encoding") && contains_nocase(value, "chunked")) f.chunked = true;
    if (equal_nocase(name, "Content-Length")) {
      f.length = number(value, 10, max_body);
      if (!f.length) f.malformed = true;
    }
  }
  return f;
}

// Walks chunks from the start of `body`.
Framing frame_chunks(std::string_view body, std::size_t max_body) {
  std::size_t pos = 0, total = 0;
  for (;;) {
    const std::size_t eol = body.find('\n', pos);
    if (eol == std::string_view::npos) return Framing::incomplete;
    std::string_view size_text = trim(body.substr(pos, eol - pos));
    size_text = trim(size_text.substr(0, size_text.find(';')));  // chunk extensions
    const auto size = number(size_text, 16, max_body);
    if (!size) return Framing::complete;  // malformed: the server refuses it
    total += *size;
    if (total > max_body) return Framing::body_too_large;
    pos = eol + 1;
    if (*size == 0) {  // the trailer: fields up to a blank line
      for (;;) {
        const std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) return Framing::incomplete;
        const bool blank = trim(body.substr(pos, end - pos)).empty();
        pos = end + 1;
        if (blank) return Framing::complete;
      }
    }
    pos += *size;  // the data, then its line end
    const std::size_t data_eol = body.find('\n', pos);
    if (pos > body.size() || data_eol == std::string_view::npos) return Framing::incomplete;
    pos = data_eol + 1;
  }
}

}  // namespace

Framing frame_request(std::string_view bytes, const FramingLimits& limits) {
  const auto end = header_end(bytes.substr(0, std::min(bytes.size(), limits.max_header)));
  if (!end) return bytes.size() >= limits.max_header ? Framing::header_too_large : Framing::incomplete;
  const BodyFraming f = body_framing(bytes.substr(0, *end), limits.max_body);
  const std::string_view body = bytes.substr(*end);
  if (f.chunked) return frame_chunks(body, limits.max_body);
  if (f.malformed || !f.length) return Framing::complete;
  if (*f.length > limits.max_body) return Framing::body_too_large;
  return body.size() >= *f.length ? Framing::complete : Framing::incomplete;
}

}  // namespace cshield
