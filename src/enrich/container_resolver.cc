#include "enrich/container_resolver.h"

#include "enrich/runtime_process.h"

#include <algorithm>
#include <vector>

namespace cshield {
namespace {

constexpr std::size_t kMaxCmdlineBytes = 64 << 10;

Counter& counter_or(Counters* counters, const char* name, const char* help, Counter& fallback) {
  return counters ? counters->counter(name, help) : fallback;
}

struct ProcStat {
  int ppid = 0;
  std::string comm;
  std::uint64_t start_time = 0;
};

// "<pid> (<comm>) <state> <ppid> ... <starttime: field 22> ..."; comm may
// itself hold spaces and parentheses, so fields are counted after the last ')'.
std::optional<ProcStat> parse_stat(const std::string& text) {
  std::size_t open = text.find('(');
  std::size_t close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  std::size_t pos = close + 1;
  while (fields.size() < 20) {
    pos = text.find_first_not_of(' ', pos);
    if (pos == std::string::npos) break;
    std::size_t end = text.find(' ', pos);
    fields.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end;
  }
  if (fields.size() < 20) return std::nullopt;
  try {
    ProcStat st;
    st.comm = text.substr(open + 1, close - open - 1);
    st.ppid = std::stoi(fields[1]);
    st.start_time = std::stoull(fields[19]);
    return st;
  } catch (...) {
    return std::nullopt;
  }
}

// argv as NUL-separated strings → one line joined with spaces.
std::string join_argv(std::string raw) {
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  return raw;
}

// Arguments separated by `separator` (NULs: a /proc/<pid>/cmdline) → argv.
std::vector<std::string> split_argv(const std::string& raw, char separator = '\0') {
  std::vector<std::string> argv;
  for (std::size_t start = 0; start < raw.size();) {
    const auto end = raw.find(separator, start);
    argv.push_back(raw.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return argv;
}

bool names_a_cgroup(const std::string& text) { return text.find(":/") != std::string::npos; }

// Places `e` in the container `m` names; `by_runtime_command` says where
// that came from (ProcessEntry::placed_by_runtime_command).
void place_in(ProcessEntry& e, CgroupMatch m, bool by_runtime_command) {
  e.placement = Placement::kContainer;
  e.container_id = std::move(m.id);
  e.container_runtime = std::move(m.runtime);
  e.placed_by_runtime_command = by_runtime_command;
}

bool has_metadata(const ContainerInfo& c) {
  return !c.name.empty() || !c.image.empty() || !c.bundle.empty();
}

}  // namespace

ContainerResolver::ContainerResolver(const FileReader& files, DockerClient* docker, Counters* counters,
                                     ResolverLimits limits)
    : files_(files),
      matcher_(files),
      metadata_(files, docker),
      limits_(limits),
      processes_(limits.processes),
      containers_(limits.containers),
      resolved_(counter_or(counters, "enrich.resolved", "processes placed (host or container) from /proc",
                           own_counters_[0])),
      cache_hits_(counter_or(counters, "enrich.cache_hits", "placements answered from the process table",
                             own_counters_[1])),
      ancestor_fallbacks_(counter_or(counters, "enrich.ancestor_fallbacks",
                                     "gone processes placed through an ancestor", own_counters_[2])),
      failures_(counter_or(counters, "enrich.failures", "processes that nothing could place", own_counters_[3])),
      metadata_missing_(counter_or(counters, "enrich.metadata_missing",
                                   "container metadata reads that found no source", own_counters_[4])) {}

namespace {

// The kernel keeps a task's PROCTITLE from its first audited syscall, also
// across execve: `runc init` running the container's program still reports
// "runc init". A title whose program is neither the comm nor the exe is
// taken as such a leftover.
bool stale_title(const ProcessInfo& p) {
  if (p.cmdline.empty() || p.comm.empty()) return false;
  std::string_view first(p.cmdline);
  first = first.substr(0, first.find(' '));
  if (const auto slash = first.rfind('/'); slash != std::string_view::npos) first.remove_prefix(slash + 1);
  std::string_view exe(p.exe);
  if (const auto slash = exe.rfind('/'); slash != std::string_view::npos) exe.remove_prefix(slash + 1);
  return first.substr(0, p.comm.size()) != p.comm && first != exe;
}

}  // namespace

std::optional<ContainerInfo> ContainerResolver::resolve(ProcessInfo& p) noexcept {
  try {
    return resolve_unguarded(p);
  } catch (...) {
    failures_.add();
    return std::nullopt;
  }
}

std::optional<ContainerInfo> ContainerResolver::resolve_unguarded(ProcessInfo& p) {
  if (p.pid <= 0) {
    failures_.add();
    return std::nullopt;
  }
  // Hot path of a busy process (an alarm storm): placed, same executable and
  // command name, and /proc confirmed its start time a moment ago. A pid
  // reused within that moment by a process of the same exe and comm is the
  // accepted risk; everything else goes through /proc.
  const auto now = std::chrono::steady_clock::now();
  if (ProcessEntry* known = processes_.lookup(p.pid);
      known && known->placement != Placement::kUnknown && !p.exe.empty() && known->exe == p.exe &&
      known->comm == p.comm && now - known->verified < kReverifyAfter) {
    if (p.ppid <= 0) p.ppid = known->ppid;
    cache_hits_.add();
    return container_of(*known);
  }
  const std::string pid = std::to_string(p.pid);
  std::optional<ProcStat> stat;
  if (auto text = files_.read("/proc/" + pid + "/stat")) stat = parse_stat(*text);
  if (stat) {
    if (p.ppid <= 0) p.ppid = stat->ppid;
    if (p.comm.empty()) p.comm = stat->comm;
  }
  if (p.exe.empty()) {
    if (auto exe = files_.read_link("/proc/" + pid + "/exe")) p.exe = *exe;
  }
  if (p.cmdline.empty() || stale_title(p)) {
    if (auto raw = files_.read("/proc/" + pid + "/cmdline", kMaxCmdlineBytes); raw && !raw->empty())
      p.cmdline = join_argv(std::move(*raw));
  }

  ProcessEntry& e = processes_.update(p);
  if (stat) {
    if (e.start_time && *e.start_time != stat->start_time) e.placement = Placement::kUnknown;  // pid reused
    e.start_time = stat->start_time;
    e.verified = now;
  }
  if (e.placement != Placement::kUnknown) {
    cache_hits_.add();
    return container_of(e);
  }
  if (place_from_cgroup(pid, e)) {
    resolved_.add();
    // runc's init stages run before the runtime has written its state, when
    // a plain runc container's cgroup cannot be told from the host's yet:
    // a host verdict for them is not kept (their children ask again).
    if (e.placement == Placement::kHost && p.comm.rfind("runc:[", 0) == 0) {
      e.placement = Placement::kUnknown;
      return std::nullopt;
    }
  } else if (place_from_ancestors(p.pid, e)) {
    ancestor_fallbacks_.add();
  } else {
    failures_.add();
  }
  // A runtime (on the host, or gone and not placed) that works for a container.
  if (e.placement != Placement::kContainer) note_runtime(pid, p, e);
  return container_of(e);
}

bool ContainerResolver::place_from_cgroup(const std::string& pid, ProcessEntry& e) const {
  auto text = files_.read("/proc/" + pid + "/cgroup");
  if (!text || !names_a_cgroup(*text)) return false;
  if (auto m = matcher_.match(*text)) {
    place_in(e, std::move(*m), false);
  } else {
    e.placement = Placement::kHost;
    e.placed_by_runtime_command = false;
  }
  return true;
}

// An ancestor that is a container runtime working for a container (its own
// cgroup is the host's) places its gone descendant there, by the command
// line /proc still has.
bool ContainerResolver::place_from_runtime_parent(int ancestor, ProcessEntry& e) const {
  const std::string pid = std::to_string(ancestor);
  const auto exe = files_.read_link("/proc/" + pid + "/exe");
  if (!exe) return false;
  auto m = runtime_command_container(pid, *exe);
  if (!m) return false;
  place_in(e, std::move(*m), true);
  return true;
}

// A runtime, placed on the host or not placed: what it works for, kept for
// its descendants.
void ContainerResolver::note_runtime(const std::string& pid, const ProcessInfo& p, ProcessEntry& e) const {
  if (!is_runtime_executable(p.exe)) return;
  if (auto m = runtime_command_container(pid, p.exe, p.cmdline)) e.works_for = std::move(m);
}

// The container the command line of runtime `pid` names: from /proc, else
// from `title` (the event's PROCTITLE) when it is whole: the kernel keeps a
// title's first 128 bytes only, and Docker's runc names the container last.
// A title's arguments are split at spaces.
std::optional<CgroupMatch> ContainerResolver::runtime_command_container(const std::string& pid, std::string_view exe,
                                                                        const std::string& title) const {
  constexpr std::size_t kWholeTitleBelow = 127;  // the kernel's 128-byte cut, less a trailing NUL
  if (auto raw = files_.read("/proc/" + pid + "/cmdline", kMaxCmdlineBytes))
    return container_of_runtime_process(exe, split_argv(*raw));
  if (!title.empty() && title.size() < kWholeTitleBelow)
    return container_of_runtime_process(exe, split_argv(title, ' '));
  return std::nullopt;
}

// Nearest ancestor first: a runtime whose work the table remembers
// (note_runtime), one the table has placed, else one /proc still has.
bool ContainerResolver::place_from_ancestors(int pid, ProcessEntry& e) {
  int ancestor = e.ppid;
  for (int hops = 0; ancestor > 0 && ancestor != pid && hops < limits_.max_ancestors; ++hops) {
    const ProcessEntry* known = processes_.lookup(ancestor);
    if (known && known->works_for) {
      place_in(e, *known->works_for, true);
      return true;
    }
    // A runtime's children are its container's processes: its own host
    // placement does not pass on to them. Its command line is read again
    // (the runtime was placed before it could be); failing that, its own
    // parent decides (the shim above a `runc exec` that has exited).
    const bool unplaced = !known || known->placement == Placement::kUnknown;
    const bool host_runtime = known && known->placement == Placement::kHost && is_runtime_executable(known->exe);
    if ((unplaced || host_runtime) && place_from_runtime_parent(ancestor, e)) return true;
    if (host_runtime) {
      ancestor = known->ppid;
      continue;
    }
    if (!unplaced) {
      e.placement = known->placement;
      e.container_id = known->container_id;
      e.container_runtime = known->container_runtime;
      e.placed_by_runtime_command = known->placed_by_runtime_command;
      return true;
    }
    if (place_from_cgroup(std::to_string(ancestor), e)) return true;
    ancestor = known ? known->ppid : 0;
  }
  return false;
}

std::optional<ContainerInfo> ContainerResolver::container_of(const ProcessEntry& e) {
  if (e.placement != Placement::kContainer) return std::nullopt;
  CachedContainer& c = containers_.get_or_insert(e.container_id);
  const bool renamed_by_cgroup = c.attempts > 0 && c.named_by_runtime_command && !e.placed_by_runtime_command &&
                                 c.info.runtime != e.container_runtime;
  if (renamed_by_cgroup) c = CachedContainer{};
  if (c.attempts == 0 || (!c.found && c.attempts < limits_.metadata_attempts)) {
    const bool named_by_cgroup = c.attempts > 0 && !c.named_by_runtime_command;
    const std::string runtime = named_by_cgroup ? c.info.runtime : e.container_runtime;
    c.info = metadata_.read(runtime, e.container_id);
    c.found = has_metadata(c.info);
    c.named_by_runtime_command = !named_by_cgroup && e.placed_by_runtime_command;
    ++c.attempts;
    if (!c.found) metadata_missing_.add();
  }
  return c.info;
}

}  // namespace cshield
