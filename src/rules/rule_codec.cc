#include "rules/rule_codec.h"

#include <libaudit.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace cshield {
namespace {

constexpr std::uint32_t kUnsetId = 4294967295u;
constexpr int kMaxSyscallNumber = AUDIT_BITMASK_SIZE * 32;

int machine_for_arch(const std::string& arch) {
  return arch.empty() ? audit_detect_machine() : audit_determine_machine(arch.c_str());
}

// "rwxa" subset to AUDIT_PERM_* bits; -1 when a letter is not one of them.
int perms_to_bits(const std::string& perms) {
  int bits = 0;
  for (char c : perms) {
    switch (c) {
      case 'r': bits |= AUDIT_PERM_READ; break;
      case 'w': bits |= AUDIT_PERM_WRITE; break;
      case 'x': bits |= AUDIT_PERM_EXEC; break;
      case 'a': bits |= AUDIT_PERM_ATTR; break;
      default: return -1;
    }
  }
  return bits;
}

std::string bits_to_perms(std::uint32_t bits) {
  std::string perms;
  if (bits & AUDIT_PERM_READ) perms += 'r';
  if (bits & AUDIT_PERM_WRITE) perms += 'w';
  if (bits & AUDIT_PERM_EXEC) perms += 'x';
  if (bits & AUDIT_PERM_ATTR) perms += 'a';
  return perms;
}

bool is_string_field(std::uint32_t field) {
  switch (field) {
    case AUDIT_WATCH:
    case AUDIT_DIR:
    case AUDIT_FILTERKEY:
    case AUDIT_EXE:
      return true;
    default:
      return (field >= AUDIT_SUBJ_USER && field <= AUDIT_SUBJ_CLR) ||
             (field >= AUDIT_OBJ_USER && field <= AUDIT_OBJ_LEV_HIGH);
  }
}

bool is_id_field(std::uint32_t field) {
  switch (field) {
    case AUDIT_UID:
    case AUDIT_EUID:
    case AUDIT_SUID:
    case AUDIT_FSUID:
    case AUDIT_LOGINUID:
    case AUDIT_OBJ_UID:
    case AUDIT_SESSIONID:
      return true;
    default:
      return false;
  }
}

std::string numeric_value(std::uint32_t field, std::uint32_t value) {
  if (is_id_field(field) && value == kUnsetId) return "unset";
  if (field == AUDIT_EXIT) return std::to_string(static_cast<std::int32_t>(value));
  return std::to_string(value);
}

std::string field_text(std::uint32_t field, std::uint32_t op, const std::string& value) {
  const char* name = audit_field_to_name(static_cast<int>(field));
  const char* symbol = audit_operator_to_symbol(static_cast<int>(op));
  return std::string(name ? name : "field" + std::to_string(field)) + (symbol ? symbol : "?") + value;
}

// Adds a "name<op>value" pair through libaudit's parser (which edits its input).
bool add_field_pair(RuleData& data, const std::string& pair, std::string& why) {
  std::vector<char> text(pair.begin(), pair.end());
  text.push_back('\0');
  audit_rule_data* raw = data.release();
  const int rc = audit_rule_fieldpair_data(&raw, text.data(), AUDIT_FILTER_EXIT);
  data.reset(raw);
  if (rc == 0 && data) return true;
  why = "field '" + pair + "' is not valid (libaudit error " + std::to_string(rc) + ")";
  return false;
}

// Appends a string field the way libaudit lays them out: the value's length in
// values[], its bytes at the end of buf. Used for the key, which libaudit's
// pair parser only accepts after auditctl's own bookkeeping globals are set.
bool add_string_field(RuleData& data, std::uint32_t field, const std::string& value) {
  if (data->field_count >= AUDIT_MAX_FIELDS - 1) return false;
  const std::size_t size = sizeof(audit_rule_data) + data->buflen + value.size();
  auto* grown = static_cast<audit_rule_data*>(std::realloc(data.get(), size));
  if (!grown) return false;
  (void)data.release();
  data.reset(grown);
  const std::uint32_t i = grown->field_count++;
  grown->fields[i] = field;
  grown->fieldflags[i] = AUDIT_EQUAL;
  grown->values[i] = static_cast<std::uint32_t>(value.size());
  std::memcpy(grown->buf + grown->buflen, value.data(), value.size());
  grown->buflen += static_cast<std::uint32_t>(value.size());
  return true;
}

void set_syscall_bit(audit_rule_data& data, int nr) {
  data.mask[AUDIT_WORD(nr)] |= AUDIT_BIT(nr);
}

// The kernel turns the top bits of the last word into syscall-class markers
// and clears them, so "all syscalls" comes back with the last word partial;
// auditctl's listing ignores that word too.
bool all_syscalls(const audit_rule_data& data) {
  for (int i = 0; i < AUDIT_BITMASK_SIZE - 1; ++i)
    if (data.mask[i] != ~0u) return false;
  return true;
}

bool encode_watch(const AuditRule& rule, RuleData& data, std::string& why) {
  if (rule.path.empty() || rule.path[0] != '/') {
    why = "a watch path must be absolute";
    return false;
  }
  std::string path = rule.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  struct stat st {};
  const int type = (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) ? AUDIT_DIR : AUDIT_WATCH;
  audit_rule_data* raw = data.release();
  const int rc = audit_add_watch_dir(type, &raw, path.c_str());
  data.reset(raw);
  if (rc != 0 || !data) {
    why = "libaudit cannot build the watch";
    return false;
  }
  if (rule.perms.empty()) return true;  // libaudit's default: rwxa
  const int bits = perms_to_bits(rule.perms);
  if (bits <= 0 || audit_update_watch_perms(data.get(), bits) != 0) {
    why = "perms must be a non-empty subset of rwxa";
    return false;
  }
  return true;
}

bool encode_syscall_rule(const AuditRule& rule, RuleData& data, std::string& why) {
  if (rule.list != "exit") {
    why = "only the exit list is supported";
    return false;
  }
  const int machine = machine_for_arch(rule.arch);
  if (machine < 0) {
    why = "unknown arch '" + rule.arch + "'";
    return false;
  }
  // The arch field must come first: libaudit checks it precedes the syscalls.
  if (!rule.arch.empty() && !add_field_pair(data, "arch=" + rule.arch, why)) return false;
  if (rule.syscalls.empty()) audit_rule_syscallbyname_data(data.get(), "all");
  for (const auto& name : rule.syscalls) {
    const int nr = audit_name_to_syscall(name.c_str(), machine);
    if (nr < 0 || nr >= kMaxSyscallNumber) {
      why = "no syscall '" + name + "' on " + (rule.arch.empty() ? "this machine" : rule.arch);
      return false;
    }
    set_syscall_bit(*data, nr);
  }
  for (const auto& pair : rule.fields)
    if (!add_field_pair(data, pair, why)) return false;
  return true;
}

}  // namespace

void RuleDataDeleter::operator()(audit_rule_data* data) const { audit_rule_free_data(data); }

RuleData encode_rule(const AuditRule& rule, std::string& error) {
  std::string why;
  RuleData data(audit_rule_create_data());
  bool ok = false;
  if (!data) {
    why = "out of memory";
  } else if (rule.action != "always" && rule.action != "never") {
    why = "action must be always or never";
  } else if (rule.key.size() > AUDIT_MAX_KEY_LEN) {
    why = "key longer than " + std::to_string(AUDIT_MAX_KEY_LEN) + " bytes";
  } else {
    ok = rule.kind == AuditRule::Kind::kWatch ? encode_watch(rule, data, why)
                                              : encode_syscall_rule(rule, data, why);
    if (ok && !rule.key.empty() && !add_string_field(data, AUDIT_FILTERKEY, rule.key)) {
      why = "too many fields for the key";
      ok = false;
    }
  }
  if (ok) {
    // What audit_add_rule_data would set; lets a freshly encoded rule decode.
    data->flags = AUDIT_FILTER_EXIT;
    data->action = static_cast<std::uint32_t>(rule_action(rule));
    return data;
  }
  error = "rule '" + rule.to_auditctl() + "': " + why;
  return nullptr;
}

int rule_add_flags(const AuditRule& rule) {
  return AUDIT_FILTER_EXIT | (rule.action == "never" ? AUDIT_FILTER_PREPEND : 0);
}

int rule_delete_flags(const AuditRule&) { return AUDIT_FILTER_EXIT; }

int rule_action(const AuditRule& rule) { return rule.action == "never" ? AUDIT_NEVER : AUDIT_ALWAYS; }

std::size_t rule_data_size(const audit_rule_data& data) { return sizeof(data) + data.buflen; }

std::optional<AuditRule> decode_rule(const audit_rule_data& data, std::size_t size) {
  if (size < sizeof(audit_rule_data) || data.field_count > AUDIT_MAX_FIELDS ||
      size - sizeof(audit_rule_data) < data.buflen)
    return std::nullopt;

  AuditRule rule;
  const char* action = data.action == AUDIT_NEVER    ? "never"
                       : data.action == AUDIT_ALWAYS ? "always"
                                                     : audit_action_to_name(static_cast<int>(data.action));
  rule.action = action ? action : std::to_string(data.action);
  const char* list = audit_flag_to_name(static_cast<int>(data.flags & ~AUDIT_FILTER_PREPEND));
  rule.list = list ? list : std::to_string(data.flags);

  std::optional<std::uint32_t> arch;
  std::string watch_path;
  std::uint32_t perm_bits = 0;
  bool other_fields = false;
  std::vector<std::string> fields;
  std::size_t offset = 0;
  for (std::uint32_t i = 0; i < data.field_count; ++i) {
    const std::uint32_t field = data.fields[i], op = data.fieldflags[i], value = data.values[i];
    std::string text;
    if (is_string_field(field)) {
      if (value > data.buflen - offset) return std::nullopt;
      text.assign(data.buf + offset, value);
      offset += value;
    }
    if (field == AUDIT_FILTERKEY) {
      rule.key = text;
    } else if (field == AUDIT_ARCH && op == AUDIT_EQUAL) {
      arch = value;
      rule.arch = (value & __AUDIT_ARCH_64BIT) ? "b64" : "b32";
    } else if (field == AUDIT_PERM) {
      perm_bits = value;
      fields.push_back(field_text(field, op, bits_to_perms(value)));
    } else if (field == AUDIT_WATCH || field == AUDIT_DIR) {
      watch_path = text;
      fields.push_back(field_text(field, op, text));
    } else {
      other_fields = true;
      fields.push_back(field_text(field, op, is_string_field(field) ? text : numeric_value(field, value)));
    }
  }

  const bool all = all_syscalls(data);
  if (!watch_path.empty() && all && !arch && !other_fields) {
    rule.kind = AuditRule::Kind::kWatch;
    rule.path = watch_path;
    rule.perms = bits_to_perms(perm_bits);
    return rule;
  }
  rule.fields = std::move(fields);
  if (!all) {
    const int machine = arch ? audit_elf_to_machine(*arch) : audit_detect_machine();
    for (int nr = 0; nr < kMaxSyscallNumber; ++nr) {
      if (!(data.mask[AUDIT_WORD(nr)] & AUDIT_BIT(nr))) continue;
      const char* name = machine >= 0 ? audit_syscall_to_name(nr, machine) : nullptr;
      rule.syscalls.push_back(name ? name : std::to_string(nr));
    }
  }
  return rule;
}

}  // namespace cshield
