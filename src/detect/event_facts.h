// Small readings of an audit event that several detectors share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit_event.h"
#include "core/audit_rule.h"
#include "core/process_info.h"

namespace cshield {

// The record that describes an event's process: its SYSCALL record, else its
// SECCOMP record, else a user-space authentication record (USER_AUTH,
// USER_LOGIN, USER_ERR); null when it has none.
const AuditRecord* process_record(const AuditEvent& ev);

// The process as the SYSCALL (or, failing that, SECCOMP) record describes it:
// pid, ppid, uid, euid, auid, comm, exe. cmdline from PROCTITLE when present.
// A user-space authentication record (USER_AUTH, USER_LOGIN, USER_ERR) gives
// pid, uid, auid and exe when the event has neither.
ProcessInfo process_from_event(const AuditEvent& ev);

// The names of the fields of records of `record_type` that nothing in
// cshield reads: not a detector, not process_from_event(), not the container
// resolver, not the daemon's StartupWatcher or ProcessInspector. For
// SYSCALL: items, the process's group ids, its saved and filesystem user
// ids, tty and ses; for PATH: mode, the owner, rdev and the file
// capabilities. Empty for every other type. The daemon and replay have them
// cut before libauparse parses a record (EventAssembler::set_unread_fields()).
// Code that starts reading one takes it off this list; pipeline_tests
// compares the alarms of every shared log with and without the cut.
std::vector<std::string> fields_nothing_reads(int record_type);

// True for the container runtime's own processes (runc/crun init stages,
// conmon, containerd-shim) whose setns, mount, etc. during container
// creation and `exec` are not alarms. Requires both the comm and the
// executable to look like the runtime, so that renaming a process is not
// enough to hide it.
bool is_runtime_process(const ProcessInfo& p);

// Every program execution (execve and execveat, both arches, successful or
// not), keyed cshield.exec. Detectors that judge executions all ask for this
// one rule (the rule set merges equal rules) and recognise an execution by
// its call, not its key: the kernel keys an event by the first rule it
// matches. The daemon's DetectorSet loads it after every other rule, so the
// specific execve rules (runtime starts, set-uid gains) keep their keys.
inline constexpr const char* kExecKey = "cshield.exec";
AuditRule exec_rule();
// The SYSCALL record names execve or execveat (skeleton-safe).
bool is_exec_call(const AuditEvent& event);
// `name` is execve or execveat.
bool is_exec_syscall(std::string_view name);

// The argv of an execve event from its EXECVE record (arguments the kernel
// split into aN[0], aN[1]... joined again); empty without the record.
std::vector<std::string> exec_argv(const AuditEvent& event);

// {"syscall":"ptrace","arch":"x86_64","args":["0x10",...],"exit":-1,"success":false}
// from a SYSCALL record; an empty object text when the record is absent.
std::string syscall_evidence_fields(const AuditRecord& syscall_record);
// The same fields (without braces) appended to `out`.
void append_syscall_evidence_fields(std::string& out, const AuditRecord& syscall_record);

// The seccomp return action (upper 16 bits of `code`, e.g. 0x00050000 for
// SECCOMP_RET_ERRNO) of a SECCOMP record, and whether it refused the call
// (anything but allow or log). nullopt when the record has no code.
struct SeccompAction {
  std::uint32_t action = 0;
  bool refused = false;
};
std::optional<SeccompAction> seccomp_action(const AuditRecord& seccomp_record);

// JSON string literal (with quotes) of arbitrary bytes.
std::string json_quote(const std::string& s);
// The same, appended to `out`.
void append_json_quoted(std::string& out, std::string_view s);
// The same escaping, without the quotes.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace cshield
