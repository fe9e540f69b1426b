// Which container a container runtime process works for, from its command
// line: `runc [global options] run|create|exec [options] <id>`, the same for
// crun, `containerd-shim* -namespace <ns> -id <id>`, `conmon -c|--cid <id>`.
// Used when a short-lived process is gone before its cgroup could be read and
// its parent is the runtime (a container's init under `runc run`, a process
// of `docker exec` reparented to the shim): the parent's cgroup is the
// host's, its command line names the container. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/cgroup_matcher.h"

namespace cshield {

// `exe` is the runtime's executable path, `argv` its arguments (argv[0]
// first). nullopt when it is not a runtime process or names no container.
std::optional<CgroupMatch> container_of_runtime_process(std::string_view exe, const std::vector<std::string>& argv);

// Whether `exe` is one of the runtimes above (by its file name): the cheap
// test before a command line is read.
bool is_runtime_executable(std::string_view exe);

}  // namespace cshield
