#include "core/audit_event.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace cshield {

namespace {

constexpr std::size_t kRoom = 512;   // free bytes add_field(const char*, ...) wants before it copies
constexpr std::ptrdiff_t kShortValue = 16;  // bytes add_field(const char*, ...) copies one by one
constexpr std::size_t kKeyBytes = 7;  // name bytes in a name key; the eighth byte is the length

// A name's first 7 bytes and its length (up to 255) in one word: equal keys
// mean equal names for names of up to 7 bytes (most of them), and equal
// lengths and beginnings for the others. Byte by byte: a word read right
// after the bytes were written (or of a shorter copy) would wait for them.
inline std::uint64_t name_key(std::string_view name) {
  const std::size_t used = std::min(name.size(), kKeyBytes);
  std::uint64_t key = static_cast<std::uint64_t>(std::min<std::size_t>(name.size(), 255)) << 56;
  for (std::size_t i = 0; i < used; ++i) key |= static_cast<std::uint64_t>(static_cast<unsigned char>(name[i])) << (8 * i);
  return key;
}

// Whether `part` (non-null) lies within `whole`.
bool within(std::string_view part, std::string_view whole) {
  if (!part.data() || !whole.data()) return false;
  const auto p = reinterpret_cast<std::uintptr_t>(part.data()), w = reinterpret_cast<std::uintptr_t>(whole.data());
  return p >= w && p + part.size() <= w + whole.size();
}

// `v` moved from the buffer at `from` to the one at `to`, if it is in it.
std::string_view moved(std::string_view v, const char* from, std::size_t size, const char* to) {
  if (!v.data() || !from) return v;
  const auto p = reinterpret_cast<std::uintptr_t>(v.data()), start = reinterpret_cast<std::uintptr_t>(from);
  if (p < start || p >= start + size) return v;
  return {to + (p - start), v.size()};
}

}  // namespace

void AuditRecord::rebase(const char* from, std::size_t size, const char* to) {
  for (auto& f : fields) {
    f.name = moved(f.name, from, size, to);
    f.raw = moved(f.raw, from, size, to);
    f.text_ = moved(f.text_, from, size, to);
  }
}

AuditRecord::AuditRecord(const AuditRecord& other) : type(other.type), type_name(other.type_name), fields(other.fields) {
  if (other.store_size_ > 0) {
    store_ = std::make_unique<char[]>(other.store_size_);
    std::memcpy(store_.get(), other.store_.get(), other.store_size_);
    store_size_ = store_capacity_ = other.store_size_;
  }
  rebase(other.store_.get(), other.store_size_, store_.get());
  copy_in_views();
}

void AuditRecord::copy_in_views() {
  for (auto& f : fields) {  // keep() may move the storage: views into it move along, `f` stays
    if (!owns(f.name)) f.name = keep(f.name);
    if (!owns(f.raw)) {
      const bool text_in_raw = within(f.text_, f.raw);
      const std::size_t offset = text_in_raw ? static_cast<std::size_t>(f.text_.data() - f.raw.data()) : 0;
      f.raw = keep(f.raw);
      if (text_in_raw) f.text_ = f.raw.substr(offset, f.text_.size());
    }
    if (f.text_.data() && !owns(f.text_)) f.text_ = keep(f.text_);
  }
}

AuditRecord& AuditRecord::operator=(const AuditRecord& other) {
  if (this != &other) *this = AuditRecord(other);
  return *this;
}

AuditRecord::AuditRecord(AuditRecord&& other) noexcept
    : type(other.type), type_name(std::move(other.type_name)), fields(std::move(other.fields)),
      store_(std::move(other.store_)), store_size_(other.store_size_), store_capacity_(other.store_capacity_) {
  other.fields.clear();
  other.store_size_ = other.store_capacity_ = 0;
}

AuditRecord& AuditRecord::operator=(AuditRecord&& other) noexcept {
  if (this != &other) {
    type = other.type;
    type_name = std::move(other.type_name);
    fields = std::move(other.fields);
    store_ = std::move(other.store_);
    store_size_ = other.store_size_;
    store_capacity_ = other.store_capacity_;
    other.fields.clear();
    other.store_size_ = other.store_capacity_ = 0;
  }
  return *this;
}

void AuditRecord::clear() {
  type = 0;
  type_name.clear();
  clear_fields();
}

void AuditRecord::clear_fields() {
  fields.clear();
  store_size_ = 0;
}

bool AuditRecord::owns(std::string_view s) const { return within(s, std::string_view(store_.get(), store_size_)); }

void AuditRecord::reserve_more(std::size_t n) {
  if (store_capacity_ - store_size_ >= n) return;
  const std::size_t capacity = std::max({store_capacity_ * 2, store_size_ + n, std::size_t{512}});
  auto grown = std::make_unique<char[]>(capacity);
  if (store_size_ > 0) std::memcpy(grown.get(), store_.get(), store_size_);
  rebase(store_.get(), store_size_, grown.get());
  store_ = std::move(grown);
  store_capacity_ = capacity;
}

std::string_view AuditRecord::keep(std::string_view s) {
  reserve_more(s.size() + 1);
  char* at = store_.get() + store_size_;
  if (!s.empty()) std::memcpy(at, s.data(), s.size());
  at[s.size()] = '\0';
  store_size_ += s.size() + 1;
  return {at, s.size()};
}

AuditField& AuditRecord::add_field(std::string_view name, std::string_view raw) {
  if (owns(name) || owns(raw)) {  // growing would move them: copy them first
    const std::string n(name), r(raw);
    return add_field(n, r);
  }
  // One reservation for both, so that keeping raw cannot move name.
  reserve_more(name.size() + raw.size() + 2);
  const std::string_view n = keep(name);
  const std::string_view r = keep(raw);
  return fields.emplace_back(AuditField::Made{}, n, r, name_key(name));
}

AuditField& AuditRecord::add_field(const char* name, const char* raw) {
  if (!raw) raw = "";
  if (owns({name, 0}) || owns({raw, 0})) {  // growing would move them: copy them first
    const std::string n(name), r(raw);
    return add_field(n, r);
  }
  // Copied byte by byte into the room there is, measuring as it goes: most
  // names and values are a few bytes, for which a strlen() and a memcpy()
  // each cost more than the copy. What does not fit goes the long way.
  if (store_capacity_ - store_size_ < kRoom) reserve_more(kRoom);
  char* const start = store_.get() + store_size_;
  char* const end = store_.get() + store_capacity_;
  // The name's first bytes make its key (see name_key()) on the way; there
  // is room for them (kRoom), so only a longer name's rest is bounded.
  std::uint64_t key = 0;
  std::size_t i = 0;
  for (; i < kKeyBytes; ++i) {
    const char c = name[i];
    start[i] = c;
    if (c == '\0') break;
    key |= static_cast<std::uint64_t>(static_cast<unsigned char>(c)) << (8 * i);
  }
  char* out = start + i;
  if (i == kKeyBytes) {
    for (const char* in = name + i; out < end && (*out = *in) != '\0'; ++in, ++out) {
    }
    if (out == end) return add_field(std::string_view(name), std::string_view(raw));
  }
  const std::string_view n(start, static_cast<std::size_t>(out - start));
  key |= static_cast<std::uint64_t>(std::min<std::size_t>(n.size(), 255)) << 56;
  char* const value = ++out;
  // The value's first kShortValue bytes, unbounded when there is room for
  // them; a longer value (a path, a hex-encoded title) is measured and
  // copied whole once they have been.
  const char* in = raw;
  if (end - value > kShortValue) {
    std::ptrdiff_t j = 0;
    while (j < kShortValue && (value[j] = in[j]) != '\0') ++j;
    out = value + j;
    if (j == kShortValue) {
      in += j;
      const std::size_t rest = std::strlen(in);
      if (rest >= static_cast<std::size_t>(end - out)) return add_field(std::string_view(name), std::string_view(raw));
      std::memcpy(out, in, rest + 1);
      out += rest;
    }
  } else {
    for (; out < end && (*out = *in) != '\0'; ++in, ++out) {
    }
    if (out == end) return add_field(std::string_view(name), std::string_view(raw));
  }
  const std::string_view r(value, static_cast<std::size_t>(out - value));
  store_size_ += static_cast<std::size_t>(out + 1 - start);
  return fields.emplace_back(AuditField::Made{}, n, r, key);
}

AuditField& AuditRecord::add_field_view(const char* name, const char* raw) {
  const std::string_view n(name);
  return fields.emplace_back(AuditField::Made{}, n, std::string_view(raw ? raw : ""), name_key(n));
}

AuditField& AuditRecord::add_field(std::string_view name, std::string_view raw, std::string_view text) {
  // `text` may be a view of anything, also of this record's storage: keep it
  // before the storage can grow.
  const std::string copy = text != raw && owns(text) ? std::string(text) : std::string();
  AuditField& f = add_field(name, raw);
  set_text(f, copy.empty() ? text : std::string_view(copy));
  return f;
}

void AuditRecord::set_text(AuditField& f, std::string_view text) {
  if (text == f.raw) {
    f.text_ = {};
  } else if (owns(text) || within(text, f.raw)) {
    f.text_ = text;
  } else {
    // Keeping may move the storage, and `f` with it (its address stays).
    f.text_ = keep(text);
  }
}

const AuditField* AuditRecord::field(std::string_view name) const {
  // One comparison of a word per field: the name's length and first bytes.
  const std::uint64_t key = name_key(name);
  for (const auto& f : fields)
    if (f.name_key_ == key &&
        (name.size() <= kKeyBytes ||
         (f.name.size() == name.size() &&
          std::memcmp(f.name.data() + kKeyBytes, name.data() + kKeyBytes, name.size() - kKeyBytes) == 0)))
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
  if (const auto* f = field(name)) return std::string(f->text());
  return std::nullopt;
}

std::optional<std::string> AuditRecord::raw(std::string_view name) const {
  if (const auto* f = field(name)) return std::string(f->raw);
  return std::nullopt;
}

std::optional<std::int64_t> AuditRecord::number(std::string_view name) const {
  const auto* f = field(name);
  if (!f) return std::nullopt;
  return number(*f);
}

std::optional<std::int64_t> AuditRecord::number(const AuditField& f) {
  if (f.raw.empty()) return std::nullopt;
  // a0..a3 are hex without a prefix; everything else numeric is decimal.
  const std::string_view name = f.name;
  const bool hex = name.size() == 2 && name[0] == 'a' && name[1] >= '0' && name[1] <= '9';
  const char* begin = f.raw.data();
  const char* end = begin + f.raw.size();
  // The common case without strtoll's locale and errno: digits only (and a
  // sign for decimal). What from_chars does not take whole (a "0x" prefix,
  // blanks, '+') goes to strto(u)ll as before, which decides.
  if (hex) {
    std::uint64_t v = 0;
    const auto r = std::from_chars(begin, end, v, 16);
    if (r.ec == std::errc::result_out_of_range) return std::nullopt;
    if (r.ec == std::errc() && r.ptr == end) return static_cast<std::int64_t>(v);
  } else {
    std::int64_t v = 0;
    const auto r = std::from_chars(begin, end, v, 10);
    if (r.ec == std::errc::result_out_of_range) return std::nullopt;
    if (r.ec == std::errc() && r.ptr == end) return v;
  }
  // raw is followed by a NUL in the record's storage.
  errno = 0;
  char* stop = nullptr;
  std::int64_t v = hex ? static_cast<std::int64_t>(std::strtoull(begin, &stop, 16)) : std::strtoll(begin, &stop, 10);
  if (errno != 0 || stop == begin || *stop != '\0') return std::nullopt;
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
