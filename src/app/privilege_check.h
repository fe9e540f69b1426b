// What cshieldd must be granted to do its work, checked once at start so
// that a container or unit that grants too little fails at once with a
// sentence naming what is missing, instead of running blind.
//   CAP_AUDIT_CONTROL  kernel audit status and rules (always)
//   CAP_AUDIT_READ     the multicast group (audit.mode multicast or auto)
//   CAP_AUDIT_WRITE    the audit exporter's user records (export.audit)
//   CAP_SYS_PTRACE     /proc/<pid>/exe, cwd and root of every process
//   CAP_DAC_READ_SEARCH the runtimes' state and the containers' files
//                      whatever their owner and mode
//   CAP_CHOWN          the API socket's group (api.socket_group)
//   the host's PID namespace: the kernel refuses audit control from any
//                      other, and pids in records are the host's
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"

namespace cshield {

// One sentence for each missing privilege; empty when nothing is missing.
// `proc_self_status` is the text of /proc/self/status (CapEff, NSpid).
std::vector<std::string> missing_privileges(const Config& config, std::string_view proc_self_status);

}  // namespace cshield
