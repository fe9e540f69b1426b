#include "core/audit_event.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace cshield {

const AuditField* AuditRecord::field(std::string_view name) const {
  // Lengths first: most names differ in length, and a compare of the bytes
  // is a call (this runs for every field looked up of every event).
  for (const auto& f : fields)
    if (f.name.size() == name.size() && (name.empty() || f.name[0] == name[0]) &&
        std::memcmp(f.name.data(), name.data(), name.size()) == 0)
      return &f;
  return nullptr;
}

std::string_view AuditRecord::text_view(std::string_view name) const {
  if (const auto* f = field(name)) return f->text();
  return {};
}

std::string_view AuditRecord::raw_view(std::string_view name) const {
  if (const auto* f = field(name)) return f->raw;
  return {};
}

std::optional<std::string> AuditRecord::text(std::string_view name) const {
  if (const auto* f = field(name)) return f->text();
  return std::nullopt;
}

std::optional<std::string> AuditRecord::raw(std::string_view name) const {
  if (const auto* f = field(name)) return f->raw;
  return std::nullopt;
}

std::optional<std::int64_t> AuditRecord::number(std::string_view name) const {
  const auto* f = field(name);
  if (!f || f->raw.empty()) return std::nullopt;
  // a0..a3 are hex without a prefix; everything else numeric is decimal.
  const bool hex = name.size() == 2 && name[0] == 'a' && name[1] >= '0' && name[1] <= '9';
  errno = 0;
  char* end = nullptr;
  std::int64_t v = hex ? static_cast<std::int64_t>(std::strtoull(f->raw.c_str(), &end, 16))
                       : std::strtoll(f->raw.c_str(), &end, 10);
  if (errno != 0 || end == f->raw.c_str() || *end != '\0') return std::nullopt;
  return v;
}

const AuditRecord* AuditEvent::first(int type) const {
  for (const auto& r : records)
    if (r.type == type) return &r;
  return nullptr;
}

std::vector<const AuditRecord*> AuditEvent::all(int type) const {
  std::vector<const AuditRecord*> out;
  for (const auto& r : records)
    if (r.type == type) out.push_back(&r);
  return out;
}

const AuditRecord* AuditEvent::syscall() const { return first(rec::kSyscall); }

std::string_view AuditEvent::key() const {
  for (int type : {rec::kSyscall, rec::kSeccomp}) {
    if (const auto* r = first(type)) {
      if (const auto* k = r->field("key"); k && k->text() != "(null)") return k->text();
    }
  }
  return {};
}

}  // namespace cshield
