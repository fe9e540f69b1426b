// One assembled kernel audit event: every record that shares one serial.
// Values are kept as auparse gave them: `raw` is the text in the record,
// `text` the interpreted value (hex-decoded strings, syscall and arch names,
// uid names are NOT substituted: ids stay numeric). Plain value type; no
// thread-safety of its own.
//
// Storage: a record owns one buffer holding the names, raw values and
// interpreted texts of all its fields; an AuditField is views into it
// (no allocation per field). The views stay valid while the record exists
// and is not cleared, also when the record or its event is moved (the buffer
// moves with it). A copy of a record or event gets a buffer of its own, and
// its fields view that one. So: never keep a field's view beyond the life of
// the record it came from (copy it into a std::string to keep it).
// The one exception, add_field_view(), is for a reader that hands the
// record on only while the text it was read from lives (the assembler
// during a read-only handler): such a field views that text, and a copy of
// the record copies it into the copy's buffer like any other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cshield {

struct AuditRecord;

// One field of a record: views into its record's storage. Made only by
// AuditRecord::add_field().
struct AuditField {
  std::string_view name;
  // As written in the record (e.g. 2F6574632F736861646F77); followed by a NUL
  // in the storage, so raw.data() is a C string.
  std::string_view raw;

  // Interpreted (e.g. /etc/shadow); raw when there is nothing to interpret.
  std::string_view text() const { return text_.data() ? text_ : raw; }

  // Only AuditRecord makes fields (it can make a Made).
  class Made {
    friend struct AuditRecord;
    Made() = default;
  };
  AuditField(Made, std::string_view n, std::string_view r, std::uint64_t key) : name(n), raw(r), name_key_(key) {}

 private:
  friend struct AuditRecord;
  std::string_view text_;       // unset (null data) when the text is raw
  std::uint64_t name_key_ = 0;  // see AuditRecord::field()
};

struct AuditRecord {
  int type = 0;                 // AUDIT_* number (1300 SYSCALL, 1302 PATH, ...)
  std::string type_name;        // "SYSCALL", "PATH", ...
  // In record order. Read-only for callers: fields are added with
  // add_field() (their views point into this record's storage).
  std::vector<AuditField> fields;

  AuditRecord() = default;
  // A deep copy: the copy's fields view the copy's own storage.
  AuditRecord(const AuditRecord& other);
  AuditRecord& operator=(const AuditRecord& other);
  // The storage moves along: views into it stay valid.
  AuditRecord(AuditRecord&& other) noexcept;
  AuditRecord& operator=(AuditRecord&& other) noexcept;
  ~AuditRecord() = default;

  // Appends a field, copying `name` and `raw` into the record's storage (they
  // may be anything, temporaries included). Returns the new field, valid
  // until the next add_field().
  AuditField& add_field(std::string_view name, std::string_view raw);
  // The same from C strings (null raw: empty), the assembler's: measures
  // them while copying.
  AuditField& add_field(const char* name, const char* raw);
  // Appends a field that views the C strings `name` and `raw` (null: empty)
  // where they are, without copying them: the caller keeps them alive and
  // unchanged until the record's fields are cleared or the record is gone.
  // Moving the record keeps the views; copying it copies the text.
  AuditField& add_field_view(const char* name, const char* raw);
  // The same with an interpreted value (kept only when it differs from raw).
  AuditField& add_field(std::string_view name, std::string_view raw, std::string_view text);
  // Sets the interpreted value of `f`, one of this record's fields: a view
  // into this record's storage or into f.raw (e.g. a quoted value without
  // its quotes) is kept as it is, anything else is copied in; equal to raw
  // means uninterpreted.
  void set_text(AuditField& f, std::string_view text);
  // No type, name or field, keeping the memory for the next use.
  void clear();
  // No field (type and type_name stay), keeping the memory.
  void clear_fields();

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
  // The same of one of its fields (`f` found by other means than field()).
  static std::optional<std::int64_t> number(const AuditField& f);

 private:
  // Copies `s` and a NUL into the storage; the returned view (without the
  // NUL) is valid until the storage grows again.
  std::string_view keep(std::string_view s);
  // Makes room for `n` more bytes; when the buffer moves, every field's
  // views move with it.
  void reserve_more(std::size_t n);
  bool owns(std::string_view s) const;
  // Points every view of the fields that is into the buffer at `from` (of
  // `size` bytes) to the same place in the buffer at `to`.
  void rebase(const char* from, std::size_t size, const char* to);
  // Copies into the storage what the fields view outside it (add_field_view()'s text).
  void copy_in_views();

  std::unique_ptr<char[]> store_;
  std::size_t store_size_ = 0, store_capacity_ = 0;
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
inline constexpr int kFirstDaemon = 1200;  // auditd's own records (DAEMON_START ...)
inline constexpr int kLastDaemon = 1299;
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
