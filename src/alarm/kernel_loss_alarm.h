// Turns an increase of the kernel's audit lost counter into an alarm of its
// own (audit_tampering / events_lost): records the kernel dropped were never
// seen, and flooding the audit backlog is a way to hide what else happened.
// The first reading is the baseline (losses from before cshieldd started
// are not raised); every later increase is counted (kernel.lost_while_running)
// and raised once per reading, host-level (no container). A counter that goes
// backwards (it is 32 bits) is taken as a new baseline.
//
// Not thread-safe: one thread (the daemon's kernel poll) calls observe();
// the sink must accept publish() from that thread.
#pragma once

#include <cstdint>
#include <optional>

#include "alarm/alarm_sink.h"
#include "core/counters.h"

namespace cshield {

class KernelLossAlarm {
 public:
  // `sink` and `counters` must outlive this object.
  KernelLossAlarm(AlarmSink& sink, Counters& counters);

  // One reading of the kernel's audit status. Returns the records lost since
  // the previous reading (0 on the first).
  std::uint64_t observe(std::uint32_t lost, std::uint32_t backlog_limit, std::uint32_t backlog_wait_time,
                        std::int64_t now_ms);

 private:
  AlarmSink& sink_;
  Counter& lost_while_running_;
  Counter& raised_;
  std::optional<std::uint32_t> last_;
};

}  // namespace cshield
