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
//   the host's network namespace, for audit.mode multicast: the kernel
//                      sends the multicast group only there
// Pure but for in_host_network_namespace(); any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"

namespace cshield {

// One sentence for each missing privilege; empty when nothing is missing.
// `proc_self_status` is the text of /proc/self/status (CapEff, NSpid);
// `host_network`: whether this process is in the host's network namespace
// (nullopt: unknown, not held against it).
// `host_pid`: whether this process is in the initial PID namespace (its
// /proc may hide a child namespace from NSpid), nullopt: judged by NSpid.
// `host_user`: whether it is in the initial user namespace (the kernel
// refuses audit from any other, whatever the capabilities there).
std::vector<std::string> missing_privileges(const Config& config, std::string_view proc_self_status,
                                            std::optional<bool> host_network = std::nullopt,
                                            std::optional<bool> host_pid = std::nullopt,
                                            std::optional<bool> host_user = std::nullopt);

// Whether /proc/self/ns/user is the initial user namespace (PROC_USER_INIT_INO).
std::optional<bool> in_host_user_namespace();

// Whether /proc/self/ns/pid is the initial PID namespace, whose inode
// number the kernel fixes (PROC_PID_INIT_INO); nullopt when unreadable.
std::optional<bool> in_host_pid_namespace();

// The sentence for reading the multicast group outside the host's network
// namespace, where nothing arrives.
std::string multicast_needs_host_network();

// Whether /proc/self/ns/net is /proc/1/ns/net (pid 1 of the host when the
// PID namespace is the host's); nullopt when either cannot be read.
std::optional<bool> in_host_network_namespace();

}  // namespace cshield
