#include "rules/backlog_waker.h"

namespace cshield {

bool BacklogWaker::should_wake(const AuditStatus& status) {
  // The counter is reset to 0 by `auditctl --reset-backlog_wait_time_actual`:
  // any change, not only growth, means tasks waited.
  const bool waited = previous_wait_actual_ && status.backlog_wait_time_actual != *previous_wait_actual_;
  previous_wait_actual_ = status.backlog_wait_time_actual;
  if (status.backlog_limit == 0) return false;  // no limit: nobody waits
  const bool full = status.backlog >= status.backlog_limit;
  if (waited || full) wakes_left_ = kWakePolls;
  if (wakes_left_ == 0 || full) return false;
  --wakes_left_;
  return true;
}

}  // namespace cshield
