#include "alarm/kernel_loss_alarm.h"

#include "core/alarm.h"

namespace cshield {

KernelLossAlarm::KernelLossAlarm(AlarmSink& sink, Counters& counters)
    : sink_(sink),
      lost_while_running_(counters.counter("kernel.lost_while_running",
                                           "records the kernel lost while cshieldd ran (increase of its lost counter)")),
      raised_(counters.counter("alarms.events_lost", "audit_tampering/events_lost alarms raised")) {}

std::uint64_t KernelLossAlarm::observe(std::uint32_t lost, std::uint32_t backlog_limit,
                                       std::uint32_t backlog_wait_time, std::int64_t now_ms) {
  if (!last_ || lost < *last_) {
    last_ = lost;
    return 0;
  }
  const std::uint64_t delta = lost - *last_;
  last_ = lost;
  if (delta == 0) return 0;
  lost_while_running_.add(delta);
  Alarm a = make_alarm("audit_tampering", "events_lost", "the kernel lost audit records");
  a.first_seen_ms = a.last_seen_ms = now_ms;
  a.evidence_json = "{\"lost\":" + std::to_string(delta) + ",\"lost_total\":" + std::to_string(lost) +
                    ",\"backlog_limit\":" + std::to_string(backlog_limit) +
                    ",\"backlog_wait_time\":" + std::to_string(backlog_wait_time) + "}";
  a.description = "The kernel's audit backlog overflowed and " + std::to_string(delta) +
                  " audit records were lost (lost counter now " + std::to_string(lost) + ", backlog_limit " +
                  std::to_string(backlog_limit) +
                  "). What they recorded was never seen by cshield; a flood of audited calls can be an attempt to "
                  "hide other activity. Find the process that caused the storm, and consider a larger "
                  "audit.backlog_limit.";
  sink_.publish(a);
  raised_.add();
  return delta;
}

}  // namespace cshield
