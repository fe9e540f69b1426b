// The pipeline's work on chunks of records, done by one thread at a time:
// the pipeline thread with the chunks queued for it, or the reader itself,
// "inline", with a small chunk it has just read while nothing is queued.
//
// Why inline: at a few thousand events a second records come in small
// bursts, and handing each burst to the pipeline thread costs that thread a
// wake-up (a thread switch costs some 20 us of CPU on a VM); the reader,
// already awake, does the work itself. While the work keeps a thread busy
// for more than kInlineBusy of the time (measured over kBusyWindow, whoever
// works), and for a large chunk, the pipeline thread works them, so that
// reading and the work overlap: one thread doing both at tens of thousands
// of events a second lets the kernel's backlog, and the latency, grow.
//
// Order: chunks are worked in the order they were read. A chunk goes inline
// only when every queued chunk has been worked, one lock serializes the
// work, and the turn to read (read_turn) is held from a read until its chunk
// is queued or taken inline.
//
// Rescue: an inline chunk can take long (a container's metadata from the
// Docker socket, an executable's hash) while nobody reads the source, whose
// socket would fill. So while chunks go inline, the pipeline thread waits
// for queued chunks at most kWatchWait at a time (wait()), and once an
// inline chunk has taken over kRescueAfter (inline_overdue()) it reads the
// source in the reader's place, queueing what it reads, until the reader is
// back. A stuck chunk is noticed within kRescueAfter + kWatchWait (35 ms):
// while the stream is light that is a few hundred records, well within the
// socket's 1 MiB; each watch costs a wake-up (100 a second at 10 ms were a
// tenth of cshieldd's CPU at 1000 events a second).
//
// What other headers call "the pipeline thread" (the assembler, the
// pipeline, the detectors, the resolver) is this work: one thread at a time,
// the lock ordering their memory.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "core/bounded_queue.h"

namespace cshield {

class PipelineWork {
 public:
  using Clock = std::chrono::steady_clock;
  using Work = std::function<void(const std::string& chunk)>;

  // Larger chunks always go to the pipeline thread (some 100 records).
  static constexpr std::size_t kInlineBytes = 32 * 1024;
  // Chunks go inline while the work took less than this share of the last
  // window (the window before when this one is young).
  static constexpr double kInlineBusy = 0.2;
  static constexpr std::chrono::milliseconds kBusyWindow{100};
  static constexpr std::chrono::milliseconds kRescueAfter{10};
  // How long the pipeline thread waits for a queued chunk: kWatchWait while
  // chunks went inline in the last kWatchFor, else kIdleWait.
  static constexpr std::chrono::milliseconds kWatchWait{25};
  static constexpr std::chrono::milliseconds kIdleWait{250};
  static constexpr std::chrono::seconds kWatchFor{1};

  // `now`: the clock (tests drive their own).
  explicit PipelineWork(std::function<Clock::time_point()> now = [] { return Clock::now(); }) : now_(std::move(now)) {}

  // The work on one chunk; until it is set (and once it is reset to an empty
  // function) nothing goes inline.
  void set(Work work);

  // Held by whichever thread reads the source: the reader, or the pipeline
  // thread rescuing it.
  std::mutex& read_turn() { return read_turn_; }

  // Reader, holding `turn`: works `chunk` at once if it is small, every
  // queued chunk has been worked and no other work runs. `turn` is released
  // while it works and held again before it returns. Returns whether it did;
  // if not, the caller queues the chunk and calls queued().
  bool try_inline(const std::string& chunk, std::unique_lock<std::mutex>& turn);
  // A chunk was put in the queue.
  void queued() { queued_.fetch_add(1, std::memory_order_acq_rel); }
  // Pipeline thread: works a chunk taken from the queue (they come in order).
  void work_queued(const std::string& chunk);

  // Runs f() under the work lock, unless a chunk is being worked inline;
  // returns whether it ran (for timers: aging events out, sweeping).
  template <class F>
  bool try_run(F&& f) {
    std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
    if (!lock) return false;
    f();
    return true;
  }
  // Runs f() under the work lock, waiting for it, then clears the work (the
  // final flush).
  template <class F>
  void finish(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    f();
    work_ = nullptr;
  }

  // True while one chunk has been worked inline for over kRescueAfter.
  bool inline_overdue() const;
  // How long the chunk now worked inline has taken; zero when none is.
  Clock::duration inline_for() const;
  // How long the pipeline thread may wait for a queued chunk.
  std::chrono::milliseconds wait() const;

  std::uint64_t inline_chunks() const { return inline_chunks_.load(std::memory_order_relaxed); }

  // Pipeline thread: while an inline chunk is overdue and the reader's turn
  // is free, reads with `read` (false: the source ended) and queues what it
  // reads, up to the bound the reader would keep for a stalled pipeline
  // (record_queue_bound; `must_drain` as the source's). Returns the chunks
  // queued.
  std::size_t rescue_reader(const std::function<bool(std::string&)>& read, BoundedQueue<std::string>& queue,
                            const std::function<bool()>& must_drain);

 private:
  // Under mu_: adds one chunk's work, which began at `began`, to the window.
  void account(Clock::time_point began);

  const std::function<Clock::time_point()> now_;
  std::mutex read_turn_;
  std::mutex mu_;  // the work
  Work work_;      // under mu_
  // Under mu_: the busy window, and whether its last verdict allows inline.
  Clock::time_point window_start_{};
  Clock::duration window_busy_{};
  bool light_ = true;
  std::atomic<std::uint64_t> queued_{0}, worked_{0}, inline_chunks_{0};
  // Clock ticks: when the inline chunk being worked began (0: none), and
  // when the last one began.
  std::atomic<Clock::rep> inline_since_{0}, inline_last_{0};
};

}  // namespace cshield
