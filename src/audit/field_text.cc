#include "audit/field_text.h"

#include "core/audit_event.h"

namespace cshield {

namespace {

// Fields the kernel may hex-encode (auparse's ESCAPED types). Called for
// every field of every event read: a switch on the first letter keeps it to
// a comparison or two.
bool escapable(std::string_view name) {
  if (name.empty()) return false;
  switch (name[0]) {
    case 'a': return name == "acct";
    case 'c': return name == "cgroup" || name == "cmd" || name == "comm" || name == "cwd";
    case 'd': return name == "data" || name == "dir";
    case 'e': return name == "exe";
    case 'f': return name == "file";
    case 'g': return name == "grp";
    case 'h': return name == "hostname";
    case 'k': return name == "key";
    case 'n': return name == "name" || name == "new_group";
    case 'o': return name == "ocomm";
    case 'p': return name == "path" || name == "proctitle";
    case 'r': return name == "root_dir";
    case 's': return name == "sw";
    case 't': return name == "terminal";
    case 'v': return name == "vm";
    case 'w': return name == "watch";
    default: return false;
  }
}

// a0, a12, a3[0] of an EXECVE record (not a0_len).
bool execve_argument(std::string_view name) {
  if (name.size() < 2 || name[0] != 'a') return false;
  std::size_t i = 1;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  if (i == 1) return false;
  return i == name.size() || name[i] == '[';
}

// The value of each byte as an upper-case hex digit, -1 for any other: the
// kernel writes upper case; lower case is a number, not an encoding. A
// table: a title decodes a byte per two digits.
struct HexDigits {
  signed char value[256];
  constexpr HexDigits() : value() {
    for (int c = 0; c < 256; ++c)
      value[c] = static_cast<signed char>(c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1);
  }
};
constexpr HexDigits kHexDigits;

int hex_digit(char c) { return kHexDigits.value[static_cast<unsigned char>(c)]; }

}  // namespace

// An unquoted value of even length: hex if the field may be encoded.
FieldTextKind field_text_kind_by_name(int record_type, std::string_view name) {
  if (!escapable(name) && !(record_type == rec::kExecve && execve_argument(name))) return FieldTextKind::kRaw;
  return FieldTextKind::kHex;
}

bool decode_field_hex(int record_type, std::string_view raw, std::string& out) {
  if (raw.empty() || raw.size() % 2 != 0) return false;
  out.resize(raw.size() / 2);
  const bool nul_as_space = record_type == rec::kProctitle;
  char* to = out.data();
  for (std::size_t i = 0; i < raw.size(); i += 2) {
    const int hi = hex_digit(raw[i]), lo = hex_digit(raw[i + 1]);
    if ((hi | lo) < 0) return false;  // not an encoding after all ("(null)", "?")
    const char c = static_cast<char>(hi * 16 + lo);
    *to++ = nul_as_space && c == '\0' ? ' ' : c;
  }
  return true;
}

}  // namespace cshield
