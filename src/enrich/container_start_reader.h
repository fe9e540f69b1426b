// Container starts as the host shows them: an OCI runtime's command line
// (`runc|crun [global options] create|run [options] <id>`, the bundle from
// --bundle or the working directory) read the moment the audit stream shows
// it, and the containers already running (runc/crun state) read once when
// cshieldd starts. The posture comes from the bundle's config.json
// (oci_posture.h) and, for Docker, its hostconfig.json (the HostConfig its
// API serves, read from disk: dockerd holds a container's lock while it
// starts it, so an API call made at `runc create` would wait for the very
// start it judges); names, image, pod from ContainerMetadataReader, likewise
// without the Docker API.
//
// Single-threaded use; keeps a reference to the FileReader. Never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/container_posture.h"
#include "enrich/file_reader.h"

namespace cshield {

struct RuntimeCommand {
  std::string command;  // create, run, start, delete, kill, state, exec, ...
  std::string id;       // the container named; empty when none
  std::string bundle;   // --bundle/-b as given; empty when absent
  std::string root;     // --root as given; empty when absent
};

// argv[0] is the runtime; nullopt when no command is found.
std::optional<RuntimeCommand> parse_runtime_command(const std::vector<std::string>& argv);

// True for an OCI runtime binary that takes `create --bundle`: runc, crun, youki, docker-runc.
bool is_oci_runtime_binary(const std::string& path);

// A running container found in a runtime's state directory.
struct RunningContainer {
  std::string id;
  std::string runtime_binary;  // runc or crun
  std::string state_root;      // e.g. /run/docker/runtime-runc/moby
  std::string bundle;
  std::int64_t created_ms = 0;
  bool alive = true;  // its init process runs (state says so and the pid's start time matches)
};

class ContainerStartReader {
 public:
  // `host_capabilities`: every capability the host allows (all-capabilities test).
  ContainerStartReader(const FileReader& files, std::vector<std::string> host_capabilities);

  // The start `command` (create or run) shows, at `time_ms`; `cwd` is the
  // runtime's working directory (the bundle when --bundle is absent or
  // relative). nullopt when it is no start or the bundle cannot be read.
  std::optional<ContainerStart> start_of(const std::string& runtime_exe, const RuntimeCommand& command,
                                         const std::string& cwd, std::int64_t time_ms) const;
  // The start of a container found running.
  std::optional<ContainerStart> start_of(const RunningContainer& running) const;
  // The posture of a known container from its bundle; nullopt when unreadable.
  std::optional<ContainerPosture> posture_of(const ContainerInfo& container) const;

  // Containers whose runtime state says they run and whose init process is
  // alive: runc state.json under /run/runc, /run/docker/runtime-runc/*,
  // /run/containerd/runc/*, and crun status under /run/crun. `fs_root` is
  // the FileReader's root (directories are listed below it).
  std::vector<RunningContainer> running(const std::string& fs_root = "/") const;
  // Every container in those state directories, alive or not (bundle may be empty).
  std::vector<RunningContainer> listed(const std::string& fs_root = "/") const;

 private:
  std::optional<ContainerStart> read(const std::string& runtime_name_hint, const std::string& id,
                                     const std::string& bundle, const std::string& state_root,
                                     std::int64_t time_ms) const;

  const FileReader& files_;
  std::vector<std::string> host_capabilities_;
};

}  // namespace cshield
