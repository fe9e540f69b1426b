// Conversion between AuditRule and the kernel's struct audit_rule_data (the
// payload of AUDIT_ADD_RULE, AUDIT_DEL_RULE and AUDIT_LIST_RULES).
// Encoding uses libaudit's rule builders; syscall names are resolved here for
// the rule's own arch, so the result never depends on libaudit's
// process-global "current arch". Still, libaudit's builders keep other
// process-global state: encode from one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/audit_rule.h"

struct audit_rule_data;

namespace cshield {

struct RuleDataDeleter {
  void operator()(audit_rule_data* data) const;
};
// A heap audit_rule_data as libaudit allocates it (variable length: buflen
// bytes of strings follow the struct).
using RuleData = std::unique_ptr<audit_rule_data, RuleDataDeleter>;

// nullptr with `error` set when the rule cannot be expressed (unknown syscall
// for the arch, bad field, relative watch path, over-long key). A watch on an
// existing directory becomes a directory watch, as auditctl -w does.
RuleData encode_rule(const AuditRule& rule, std::string& error);

// The `flags` and `action` arguments of audit_add_rule_data for `rule`:
// the exit list, prepended for `never` rules so they precede `always` rules.
int rule_add_flags(const AuditRule& rule);
int rule_delete_flags(const AuditRule& rule);
int rule_action(const AuditRule& rule);

// The size in bytes of an encoded rule (struct plus its string buffer).
std::size_t rule_data_size(const audit_rule_data& data);

// Decodes a rule the kernel listed; `size` is the payload length it came in.
// nullopt when the payload is malformed. A rule that watches a path on all
// syscalls with no other fields than perm and key decodes as Kind::kWatch;
// otherwise path=/dir= stay fields of a syscall rule.
std::optional<AuditRule> decode_rule(const audit_rule_data& data, std::size_t size);

}  // namespace cshield
