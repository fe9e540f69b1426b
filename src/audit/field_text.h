// The readable text of an audit field value, decoded the way the kernel
// encoded it: a quoted value loses its quotes; a value the kernel
// hex-encoded (it does so for strings with spaces, quotes or control bytes)
// is decoded, for the fields that carry such strings (exe, comm, name, cwd,
// key, EXECVE arguments, proctitle with its NULs as spaces, ...). Anything
// else reads as it is written. Syscall and arch names need the
// arch-specific tables and are auparse's job, not this.
#pragma once

#include <string>
#include <string_view>

namespace cshield {

// How a value's text is had from its raw value.
enum class FieldTextKind {
  kRaw,      // as written
  kQuoted,   // raw without its first and last byte (the quotes)
  kHex,      // hex-decoded: see decode_field_hex()
};

// Cheap: a look at the ends of `raw` and, for an even-length unquoted value,
// at the field's name. Inline: it is asked about every field read.
FieldTextKind field_text_kind_by_name(int record_type, std::string_view name);
inline FieldTextKind field_text_kind(int record_type, std::string_view name, std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') return FieldTextKind::kQuoted;
  if (raw.empty() || raw.size() % 2 != 0) return FieldTextKind::kRaw;
  return field_text_kind_by_name(record_type, name);
}

// Decodes `raw` (of kind kHex) into `out` (replacing its content); false,
// with `out` unspecified, when it is not an encoding after all ("(null)",
// lower-case or odd digits): then the text is raw.
bool decode_field_hex(int record_type, std::string_view raw, std::string& out);

}  // namespace cshield
