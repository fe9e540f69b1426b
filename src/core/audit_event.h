// One assembled kernel audit event: every record that shares one serial.
// Values are kept as auparse gave them: `raw` is the text in the record,
// `text` the interpreted value (hex-decoded strings, syscall and arch names,
// uid names are NOT substituted: ids stay numeric). Plain value type; no
// thread-safety of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cshield {

struct AuditField {
  AuditField() = default;
  AuditField(std::string field_name, std::string raw_value)
      : name(std::move(field_name)), raw(std::move(raw_value)) {}
  // Copies straight into the members (the assembler's, once per field read).
  AuditField(std::string_view field_name, std::string_view raw_value) : name(field_name), raw(raw_value) {}
  AuditField(std::string field_name, std::string raw_value, std::string text_value)
      : name(std::move(field_name)), raw(std::move(raw_value)) {
    set_text(std::move(text_value));
  }

  std::string name;
  std::string raw;  // as written in the record (e.g. 2F6574632F736861646F77)

  // Interpreted (e.g. /etc/shadow); raw when there is nothing to interpret,
  // in which case no second copy is kept.
  const std::string& text() const { return decoded_ ? *decoded_ : raw; }
  void set_text(std::string text) {
    if (text == raw)
      decoded_.reset();
    else
      decoded_ = std::move(text);
  }

 private:
  std::optional<std::string> decoded_;
};

struct AuditRecord {
  int type = 0;                 // AUDIT_* number (1300 SYSCALL, 1302 PATH, ...)
  std::string type_name;        // "SYSCALL", "PATH", ...
  std::vector<AuditField> fields;

  const AuditField* field(std::string_view name) const;
  // Interpreted value of a field, or nullopt when the record lacks it.
  std::optional<std::string> text(std::string_view name) const;
  std::optional<std::string> raw(std::string_view name) const;
  // The same without a copy, for reading on the hot path: empty when the
  // record lacks the field. Valid while the record is.
  std::string_view text_view(std::string_view name) const;
  std::string_view raw_view(std::string_view name) const;
  // Raw value parsed as a signed/unsigned number (decimal, or hex for a0..a3).
  std::optional<std::int64_t> number(std::string_view name) const;
};

struct AuditEvent {
  std::uint64_t serial = 0;
  std::int64_t time_ms = 0;     // event time, milliseconds since the epoch
  std::vector<AuditRecord> records;

  const AuditRecord* first(int type) const;
  std::vector<const AuditRecord*> all(int type) const;
  // The SYSCALL record, if any (type 1300).
  const AuditRecord* syscall() const;
  // The audit key (key= of the SYSCALL record, or of a SECCOMP record), empty
  // if none; valid while the event is.
  std::string_view key() const;
};

// Record type numbers used across modules (from linux/audit.h), named here so
// that detectors need not include kernel headers.
namespace rec {
inline constexpr int kUserAuth = 1100;
inline constexpr int kUserErr = 1109;
inline constexpr int kUserLogin = 1112;
inline constexpr int kSyscall = 1300;
inline constexpr int kPath = 1302;
inline constexpr int kCwd = 1307;
inline constexpr int kExecve = 1309;
inline constexpr int kEoe = 1320;
inline constexpr int kSeccomp = 1326;
inline constexpr int kProctitle = 1327;
inline constexpr int kOpenat2 = 1337;  // openat2's struct open_how: oflag, mode, resolve
}  // namespace rec

}  // namespace cshield
