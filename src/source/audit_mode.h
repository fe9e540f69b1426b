// Chooses how to read the kernel's audit records: as the audit daemon when
// none is registered, beside the registered one otherwise.
#pragma once

#include <cstdint>
#include <string>

#include "rules/audit_control.h"

namespace cshield {

// True when `pid` is a registered audit daemon that still runs (the kernel
// keeps a dead daemon's pid until it next fails to send to it).
bool audit_daemon_alive(std::uint32_t pid);

// "netlink" when no live audit daemon is registered, "multicast" otherwise;
// empty with `error` set when the kernel's status cannot be read.
std::string detect_audit_mode(AuditControl& control, std::string& error);

}  // namespace cshield
