// The pipeline's entry point to enrichment: which container (if any) a
// process runs in, with the container's metadata.
//
// resolve() completes the ProcessInfo from /proc (exe, cmdline, comm, ppid
// when empty), then decides from /proc/<pid>/cgroup. When the process is
// already gone (short-lived), the nearest ancestor decides: the ppid chain
// is walked through the process table and /proc/<ancestor>/cgroup; an
// ancestor that is a container runtime (runc run/exec, containerd-shim,
// conmon) names the container on its command line (runtime_process.h),
// read from /proc when the runtime is first placed (remembered in the process
// table, so that it decides also once the runtime is gone) or when the walk
// reaches it. The
// decision is cached in the process table per (pid, start time); metadata
// per container id (bounded; retried a few times while no source has any;
// read again when a cgroup names the runtime otherwise than the runtime's
// command line did).
//
// Counters (when given): enrich.resolved, enrich.cache_hits,
// enrich.ancestor_fallbacks, enrich.failures, enrich.metadata_missing.
//
// Single-threaded (the pipeline thread). Keeps references to the
// FileReader, DockerClient and Counters, which must outlive it. Never throws.
#pragma once

#include <chrono>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/container_info.h"
#include "core/counters.h"
#include "core/process_info.h"
#include "enrich/cgroup_matcher.h"
#include "enrich/container_metadata.h"
#include "enrich/docker_client.h"
#include "enrich/file_reader.h"
#include "enrich/lru_map.h"
#include "enrich/process_table.h"

namespace cshield {

struct ResolverLimits {
  std::size_t processes = ProcessTable::kDefaultCapacity;
  std::size_t containers = 4096;
  int max_ancestors = 64;      // ppid hops before giving up
  int metadata_attempts = 3;   // reads of a container's metadata while none is found (>= 1)
};

class ContainerResolver {
 public:
  // A placed process seen again within this time, with the same exe and
  // comm, is not re-read from /proc.
  static constexpr std::chrono::milliseconds kReverifyAfter{500};

  ContainerResolver(const FileReader& files, DockerClient* docker, Counters* counters,
                    ResolverLimits limits = {});

  // The container `p` runs in; nullopt for a host process and when nothing
  // can decide (process and every ancestor gone: counted as a failure).
  std::optional<ContainerInfo> resolve(ProcessInfo& p) noexcept;

  // The table resolve() keeps; the pipeline may add what events tell
  // (fork parents, exits) and look processes up.
  ProcessTable& processes() { return processes_; }

 private:
  struct CachedContainer {
    ContainerInfo info;
    bool found = false;
    int attempts = 0;
    bool named_by_runtime_command = false;  // info.runtime from a runtime's command line
  };

  std::optional<ContainerInfo> resolve_unguarded(ProcessInfo& p);
  bool place_from_cgroup(const std::string& pid, ProcessEntry& e) const;
  bool place_from_ancestors(int pid, ProcessEntry& e);
  bool place_from_runtime_parent(int ancestor, ProcessEntry& e) const;
  void note_runtime(const std::string& pid, const ProcessInfo& p, ProcessEntry& e) const;
  std::optional<CgroupMatch> runtime_command_container(const std::string& pid, std::string_view exe,
                                                       const std::string& title = "") const;
  std::optional<ContainerInfo> container_of(const ProcessEntry& e);

  const FileReader& files_;
  CgroupMatcher matcher_;
  ContainerMetadataReader metadata_;
  ResolverLimits limits_;
  ProcessTable processes_;
  LruMap<std::string, CachedContainer> containers_;

  Counter own_counters_[5];  // used when no Counters are given
  Counter& resolved_;
  Counter& cache_hits_;
  Counter& ancestor_fallbacks_;
  Counter& failures_;
  Counter& metadata_missing_;
};

}  // namespace cshield
