#include "app/pipeline_work.h"

#include <utility>

#include "app/record_queue_bound.h"

namespace cshield {

void PipelineWork::set(Work work) {
  std::lock_guard<std::mutex> lock(mu_);
  work_ = std::move(work);
}

bool PipelineWork::try_inline(const std::string& chunk, std::unique_lock<std::mutex>& turn) {
  if (chunk.size() > kInlineBytes) return false;
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  // worked_ is only written under mu_, so every queued chunk is worked when
  // the counts agree here.
  if (!lock || !work_ || !light_ ||
      worked_.load(std::memory_order_acquire) != queued_.load(std::memory_order_acquire))
    return false;
  const auto began = now_();
  inline_last_.store(began.time_since_epoch().count(), std::memory_order_relaxed);
  inline_since_.store(began.time_since_epoch().count(), std::memory_order_release);
  turn.unlock();  // a rescuer may read meanwhile; what it reads queues behind this chunk
  work_(chunk);
  account(began);
  inline_since_.store(0, std::memory_order_release);
  inline_chunks_.fetch_add(1, std::memory_order_relaxed);
  lock.unlock();
  turn.lock();
  return true;
}

void PipelineWork::work_queued(const std::string& chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto began = now_();
  if (work_) work_(chunk);
  account(began);
  worked_.fetch_add(1, std::memory_order_acq_rel);
}

void PipelineWork::account(Clock::time_point began) {
  const auto now = now_();
  window_busy_ += now - began;
  const auto length = now - window_start_;
  if (length < kBusyWindow) return;
  light_ = static_cast<double>(window_busy_.count()) < kInlineBusy * static_cast<double>(length.count());
  window_start_ = now;
  window_busy_ = Clock::duration::zero();
}

PipelineWork::Clock::duration PipelineWork::inline_for() const {
  const auto since = inline_since_.load(std::memory_order_acquire);
  if (since == 0) return Clock::duration::zero();
  return now_().time_since_epoch() - Clock::duration(since);
}

bool PipelineWork::inline_overdue() const { return inline_for() > kRescueAfter; }

std::chrono::milliseconds PipelineWork::wait() const {
  const auto last = inline_last_.load(std::memory_order_relaxed);
  return last != 0 && now_().time_since_epoch() - Clock::duration(last) < kWatchFor ? kWatchWait : kIdleWait;
}

std::size_t PipelineWork::rescue_reader(const std::function<bool(std::string&)>& read,
                                       BoundedQueue<std::string>& queue, const std::function<bool()>& must_drain) {
  std::unique_lock<std::mutex> turn(read_turn_, std::try_to_lock);
  if (!turn) return 0;  // the reader reads again
  std::size_t rescued = 0;
  std::string chunk;
  while (inline_overdue()) {
    const std::size_t queued_now = queue.size();
    if (queued_now >= queue.capacity() || queued_now >= record_queue_bound(queued_now, inline_for(), must_drain))
      break;  // the kernel holds the rest, as it would for a stalled pipeline
    chunk.clear();
    if (!read(chunk)) break;  // ended: the reader switches sources or stops
    if (chunk.empty()) continue;
    if (!queue.try_push(std::move(chunk))) break;
    queued();
    ++rescued;
  }
  return rescued;
}

}  // namespace cshield
