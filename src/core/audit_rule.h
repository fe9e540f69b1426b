// A kernel audit rule as a detector asks for it: pure data, printable in
// auditctl syntax (for --print-rules and rules.d/), applied by rules/.
#pragma once

#include <string>
#include <vector>

namespace cshield {

// Every rule cshield loads carries a key that starts with this prefix, so
// cshield can find and remove exactly its own rules.
inline constexpr const char* kRuleKeyPrefix = "cshield.";

struct AuditRule {
  enum class Kind { kSyscall, kWatch };
  Kind kind = Kind::kSyscall;
  // kSyscall
  std::string action = "always";      // always | never
  std::string list = "exit";          // exit (the only list cshield uses)
  std::string arch;                   // b64 | b32; empty: no arch field
  std::vector<std::string> syscalls;  // names; empty: all (only with action never)
  std::vector<std::string> fields;    // auditctl -F pairs: "dir=/proc", "a2&3", "pid=42"
  // kWatch
  std::string path;
  std::string perms;  // subset of "rwxa"
  std::string key;    // empty only for the self-exclusion rule

  // "-a always,exit -F arch=b64 -S ptrace,setns -k cshield.high_risk_syscall"
  // or "-w /etc/shadow -p rwa -k cshield.file_escape"
  std::string to_auditctl() const;
  bool operator==(const AuditRule& o) const;
};

}  // namespace cshield
