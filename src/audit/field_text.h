// The readable text of an audit field value, decoded the way the kernel
// encoded it: a quoted value loses its quotes; a value the kernel
// hex-encoded (it does so for strings with spaces, quotes or control bytes)
// is decoded, for the fields that carry such strings (exe, comm, name, cwd,
// key, EXECVE arguments, proctitle with its NULs as spaces, ...). Anything
// else reads as it is written: nullopt, so that no copy is made. Syscall and
// arch names need the arch-specific tables and are auparse's job, not this.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cshield {

std::optional<std::string> decoded_field_text(int record_type, std::string_view name, std::string_view raw);

}  // namespace cshield
