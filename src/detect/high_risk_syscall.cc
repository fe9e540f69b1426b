#include "detect/high_risk_syscall.h"

#include "detect/event_facts.h"

#include <cstdio>
#include <cstdlib>

namespace cshield {

namespace {

// seccomp return actions (linux/seccomp.h), upper 16 bits of `code`.
constexpr std::uint32_t kSeccompActionMask = 0xffff0000U;
constexpr std::uint32_t kSeccompRetAllow = 0x7fff0000U;
constexpr std::uint32_t kSeccompRetLog = 0x7ffc0000U;

std::string describe(std::string_view syscall, bool blocked) {
  std::string d;
  d.reserve(400);
  d += "A process in the container called ";
  d += syscall;
  d += ", a system call that ordinary containerised workloads do not need and that "
       "container escapes and privilege escalations rely on (";
  if (syscall == "ptrace")
    d += "ptrace reads and rewrites other processes' memory";
  else if (syscall == "setns" || syscall == "unshare")
    d += "it moves the caller into other namespaces, such as the host's";
  else if (syscall == "open_by_handle_at" || syscall == "name_to_handle_at")
    d += "it opens host files by handle, bypassing the container's mount namespace (the shocker escape)";
  else if (syscall == "reboot" || syscall == "kexec_load" || syscall == "kexec_file_load")
    d += "it restarts or replaces the running kernel";
  else if (syscall.find("module") != std::string_view::npos)
    d += "it loads code into the host kernel";
  else
    d += "it reaches host-level kernel facilities";
  d += "). ";
  d += blocked ? "The container's seccomp profile refused the call; find out which program tried it and why."
               : "Check which program made the call; if it is not expected, stop the container and inspect its image.";
  return d;
}

}  // namespace

std::vector<std::string> default_high_risk_syscalls() {
  return {"open_by_handle_at", "ptrace",        "setns",         "reboot",     "unshare",
          "mount",             "umount2",       "pivot_root",    "kexec_load", "kexec_file_load",
          "init_module",       "finit_module",  "delete_module", "bpf",        "perf_event_open",
          "userfaultfd",       "keyctl",        "add_key",       "request_key", "swapon",
          "swapoff",           "acct",          "iopl",          "ioperm"};
}

HighRiskSyscallDetector::HighRiskSyscallDetector(std::vector<std::string> syscalls)
    : syscalls_(std::move(syscalls)), lookup_(syscalls_.begin(), syscalls_.end()) {}

std::vector<AuditRule> HighRiskSyscallDetector::rules() const {
  AuditRule r;
  r.syscalls = syscalls_;  // no arch: the rule set emits b64 and b32
  r.key = kHighRiskSyscallKey;
  return {r};
}

// Any SYSCALL event of a listed call counts, whichever rule logged it (auditd's
// own rules beside cshield, or a replayed log), as do SECCOMP records.
bool HighRiskSyscallDetector::wants(const AuditEvent& event) const {
  if (event.first(rec::kSeccomp)) return true;
  const AuditRecord* sys = event.syscall();
  if (!sys) return false;
  const AuditField* f = sys->field("syscall");
  return f && lookup_.count(f->text()) > 0;
}

void HighRiskSyscallDetector::evaluate(const EventContext& ctx, std::vector<Alarm>& out) const {
  if (!ctx.container || is_runtime_process(ctx.process)) return;
  const AuditRecord* sys = ctx.event.syscall();
  const AuditRecord* sec = sys ? nullptr : ctx.event.first(rec::kSeccomp);
  std::string_view name;
  std::uint32_t action = 0;
  if (sys) {
    name = sys->text_view("syscall");
  } else if (sec) {
    auto code = sec->number("code");
    if (!code) {
      // auparse may not interpret it; the raw value is hex (0x7ffc0000)
      if (auto raw = sec->raw("code")) code = static_cast<std::int64_t>(std::strtoull(raw->c_str(), nullptr, 16));
    }
    action = static_cast<std::uint32_t>(code.value_or(0)) & kSeccompActionMask;
    // A logged-and-allowed call reached the syscall path: the SYSCALL rule reports it.
    if (action == kSeccompRetAllow || action == kSeccompRetLog) return;
    name = sec->text_view("syscall");
  } else {
    return;
  }
  if (name.empty() || !lookup_.count(name)) return;
  const bool blocked = !sys;
  Alarm a = make_alarm("high_risk_syscall", std::string(name), "");
  a.syscall = name;
  if (ctx.details_wanted(a)) {
    a.add_title_suffix(name);
    std::string& evidence = a.evidence_json;
    if (sys) {
      evidence.reserve(192);
      evidence = "{";
      append_syscall_evidence_fields(evidence, *sys);
      evidence += ",\"blocked\":false}";
    } else {
      char action_hex[16];
      std::snprintf(action_hex, sizeof action_hex, "0x%08x", action);
      evidence = "{\"syscall\":";
      append_json_quoted(evidence, name);
      evidence += ",\"arch\":";
      append_json_quoted(evidence, sec->text_view("arch"));
      evidence += ",\"seccomp_action\":";
      append_json_quoted(evidence, action_hex);
      evidence += ",\"success\":false,\"blocked\":true}";
    }
    a.description = describe(name, blocked);
  }
  out.push_back(std::move(a));
}

// SYSCALL and SECCOMP records only.
bool HighRiskSyscallDetector::reads_record(int) const { return false; }

}  // namespace cshield
