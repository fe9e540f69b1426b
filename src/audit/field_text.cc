#include "audit/field_text.h"

#include <array>

#include "core/audit_event.h"

namespace cshield {

namespace {

// Fields the kernel may hex-encode (auparse's ESCAPED types).
bool escapable(std::string_view name) {
  static constexpr std::array<std::string_view, 22> kNames{
      "acct", "cgroup", "cmd",  "comm", "cwd",  "data",      "dir",   "exe",      "file", "grp",     "hostname",
      "key",  "name",   "new_group", "ocomm", "path", "proctitle", "root_dir", "sw",   "terminal", "vm", "watch"};
  for (auto n : kNames)
    if (n == name) return true;
  return false;
}

// a0, a12, a3[0] of an EXECVE record (not a0_len).
bool execve_argument(std::string_view name) {
  if (name.size() < 2 || name[0] != 'a') return false;
  std::size_t i = 1;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  if (i == 1) return false;
  return i == name.size() || name[i] == '[';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // the kernel writes upper case; lower case is a number, not an encoding
}

}  // namespace

std::string field_text(int record_type, std::string_view name, std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') return std::string(raw.substr(1, raw.size() - 2));
  const bool encoded_kind = escapable(name) || (record_type == rec::kExecve && execve_argument(name));
  if (!encoded_kind || raw.empty() || raw.size() % 2 != 0) return std::string(raw);
  std::string out;
  out.reserve(raw.size() / 2);
  for (std::size_t i = 0; i < raw.size(); i += 2) {
    const int hi = hex_digit(raw[i]), lo = hex_digit(raw[i + 1]);
    if (hi < 0 || lo < 0) return std::string(raw);  // not an encoding after all ("(null)", "?")
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  if (record_type == rec::kProctitle)
    for (auto& c : out)
      if (c == '\0') c = ' ';
  return out;
}

}  // namespace cshield
