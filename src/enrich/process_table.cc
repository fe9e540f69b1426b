#include "enrich/process_table.h"

namespace cshield {

ProcessEntry& ProcessTable::update(const ProcessInfo& p) {
  ProcessEntry& e = entries_.get_or_insert(p.pid);
  bool changed = (!p.exe.empty() && p.exe != e.exe) || (!p.comm.empty() && p.comm != e.comm);
  if (changed && e.placement == Placement::kHost) e.placement = Placement::kUnknown;
  if (changed) e.works_for.reset();
  if (p.ppid > 0) e.ppid = p.ppid;
  if (!p.exe.empty()) e.exe = p.exe;
  if (!p.comm.empty()) e.comm = p.comm;
  e.last_seen = ++sequence_;
  return e;
}

}  // namespace cshield
