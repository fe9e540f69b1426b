// What the pipeline knows of each process, keyed by pid: parent, start time,
// executable, command name and where the process runs (host or a container).
// Bounded: beyond `capacity` entries the least recently updated or looked-up
// pid is forgotten. Single-threaded (the pipeline thread). Entry pointers and
// references stay valid until the next update() or remove().
#pragma once

#include <chrono>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/process_info.h"
#include "enrich/cgroup_matcher.h"
#include "enrich/lru_map.h"

namespace cshield {

enum class Placement { kUnknown, kHost, kContainer };

struct ProcessEntry {
  int ppid = 0;
  std::optional<std::uint64_t> start_time;  // /proc/<pid>/stat field 22, clock ticks since boot
  std::string exe;
  std::string comm;
  Placement placement = Placement::kUnknown;
  std::string container_id;       // set when placement is kContainer
  std::string container_runtime;  // set when placement is kContainer
  // The placement came from a runtime's command line (its own or an
  // ancestor's), whose runtime name is a weaker word than a cgroup's: runc
  // run by CRI-O is "cri-o" by its cgroup, "runc" by its command line.
  bool placed_by_runtime_command = false;
  // Set when the process is a container runtime at work for a container, as
  // its command line says (runtime_process.h): a runtime's cgroup is the
  // host's, but its gone descendants are placed in that container, also
  // once the runtime itself is gone. Cleared when the program changes.
  std::optional<CgroupMatch> works_for;
  std::uint64_t last_seen = 0;    // the table's update sequence number of the last update()
  // When /proc last confirmed this pid's start time (the resolver's pid-reuse check).
  std::chrono::steady_clock::time_point verified{};
};

class ProcessTable {
 public:
  static constexpr std::size_t kDefaultCapacity = 65536;
  explicit ProcessTable(std::size_t capacity = kDefaultCapacity) : entries_(capacity) {}

  // Creates or refreshes the entry of p.pid with what `p` knows (ppid, exe
  // and comm when non-empty). A host placement is dropped when exe or comm
  // changes: a runtime's init process joins the container's cgroups before
  // it executes the container's program. A container placement is kept (a
  // process never leaves its container). What a runtime works for is
  // dropped when exe or comm changes.
  ProcessEntry& update(const ProcessInfo& p);
  // nullptr when unknown; counts as use for the eviction order. The caller
  // may amend the entry (start time, placement).
  ProcessEntry* lookup(int pid) { return entries_.find(pid); }
  void remove(int pid) { entries_.erase(pid); }

  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return entries_.capacity(); }

 private:
  LruMap<int, ProcessEntry> entries_;
  std::uint64_t sequence_ = 0;
};

}  // namespace cshield
