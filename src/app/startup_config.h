// The [startup] section of cshield.conf: what abnormal_startup counts as
// too many permissions. Each function parses one key's value into the
// StartupPolicy and returns an error text (without file and line: the
// caller adds them), or nullopt when the value is good.
//
//   allowed_capabilities = CAP_CHOWN, CAP_KILL, ...   ; capabilities that are no finding
//   critical_paths = /etc/*, /run, /                  ; "/x/*": /x and everything below it;
//                                                     ; any path: it and every directory above it
//   exception.<label> = <image glob> <finding>...     ; findings accepted for matching images:
//       privileged:true  seccomp=unconfined  capabilities:[CAP_A,CAP_B]  mounts:[/host/path,...]
#pragma once

#include <optional>
#include <string>

#include "detect/abnormal_startup.h"

namespace cshield {

std::optional<std::string> parse_allowed_capabilities(const std::string& value, StartupPolicy& policy);
std::optional<std::string> parse_critical_paths(const std::string& value, StartupPolicy& policy);
// `label` is the part after "exception."; it names the exception in errors.
std::optional<std::string> parse_startup_exception(const std::string& label, const std::string& value,
                                                   StartupPolicy& policy);

// The section with its defaults, as annotated INI text.
std::string default_startup_config_text();

}  // namespace cshield
