// Small readings of an audit event that several detectors share.
#pragma once

#include <optional>
#include <string>

#include "core/audit_event.h"
#include "core/process_info.h"

namespace cshield {

// The process as the SYSCALL (or, failing that, SECCOMP) record describes it:
// pid, ppid, uid, euid, auid, comm, exe. cmdline from PROCTITLE when present.
ProcessInfo process_from_event(const AuditEvent& ev);

// True for the container runtime's own processes (runc/crun init stages,
// conmon, containerd-shim) whose setns, mount, etc. during container
// creation and `exec` are not alarms. Requires both the comm and the
// executable to look like the runtime, so that renaming a process is not
// enough to hide it.
bool is_runtime_process(const ProcessInfo& p);

// {"syscall":"ptrace","arch":"x86_64","args":["0x10",...],"exit":-1,"success":false}
// from a SYSCALL record; an empty object text when the record is absent.
std::string syscall_evidence_fields(const AuditRecord& syscall_record);

// JSON string literal (with quotes) of arbitrary bytes.
std::string json_quote(const std::string& s);

}  // namespace cshield
