// The store's sink: publish() (pipeline thread) only enqueues into a bounded
// queue that counts what it drops; a writer thread of its own drains it in
// batches, one transaction each, and applies retention now and then.
// Repeats within a batch (equal fold keys) are folded in memory first.
// While alarms keep coming (the previous batch was written less than
// `busy_within` ago), the writer waits `gather` before draining, so a storm
// costs one transaction per `gather`, not one per alarm; a lone alarm is
// written at once. A new alarm (its fold key not published within
// `recent_window`: another container's during a storm, a new file) ends the
// gather at once, so that it does not wait behind a storm's repeats; at most
// once per `new_every`, so that a flood of distinct alarms still costs one
// transaction per `new_every`. So only repeats (a count that grows) wait the
// whole `gather`. A batch takes everything queued when it starts
// (up to max_batch alarms once repeats are folded), so that the new alarm is
// in it whatever the storm queued before it.
// A batch that fails to write is retried with back-off while the queue
// behind it keeps accepting (and, when full, counting drops), so a slow or
// failing disk never blocks detection.
//
// While the store refuses writes (disk full, read-only, I/O errors) the
// failing batch and the queue behind it are the spill: bounded by
// queue_capacity + max_batch alarms, repeats folding into the held batch at
// every retry, and written as soon as the store accepts them again. What does
// not fit is counted (queue.alarms.dropped), never silently lost; so is what
// a store that still refuses at stop() cannot take (store.lost_at_stop).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "alarm/alarm_sink.h"
#include "alarm/recent_keys.h"
#include "core/bounded_queue.h"
#include "core/change_signal.h"
#include "core/counters.h"
#include "store/alarm_repository.h"

namespace cshield {

struct StoreWriterOptions {
  std::size_t queue_capacity = 65536;
  std::size_t max_batch = 512;
  std::chrono::milliseconds retention_every{std::chrono::minutes(10)};
  // A transaction costs about 0.1 ms of CPU (the count triggers included)
  // and some 15 page writes: a steady stream of repeats costs one per 100 ms,
  // and a repeat's count is at most 100 ms late; a new alarm waits at most
  // `new_every` more to be queryable.
  std::chrono::milliseconds gather{100};
  std::chrono::milliseconds new_every{15};
  std::chrono::milliseconds busy_within{250};
  // A gather also ends once this many alarms are queued: a storm's alarms
  // wait in memory until they fold, a few MB of them at most.
  std::size_t gather_max_queued = 4096;
  // How long a published fold key counts as a repeat (RecentKeys).
  std::chrono::milliseconds recent_window{2000};
};

class StoreWriter : public AlarmSink {
 public:
  // `writer` and `counters` must outlive this object.
  StoreWriter(AlarmWriter& writer, Counters& counters, StoreWriterOptions options = {});
  ~StoreWriter() override;

  // Thread-safe (the pipeline and the main thread's kernel-loss alarm).
  void publish(const Alarm& alarm) override;
  void publish_owned(Alarm&& alarm) override;  // moved into the queue
  // Where alarms go once stored, with the id the store gave them (the
  // exporters); set before start(). While the store refuses writes they go
  // there at once without an id, so that exporting never waits for the disk,
  // and are not sent again when they are finally stored.
  void set_downstream(AlarmSink* downstream) { downstream_ = downstream; }
  // Notified after every batch the store committed (new rows and folds
  // alike), so that readers waiting for new alarms (the API's long-poll)
  // look again; not for batches the store refused. Must outlive this
  // object; set before start().
  void set_commit_signal(ChangeSignal* signal) { committed_ = signal; }
  void start();
  // Writes what is queued, then stops the thread. Idempotent.
  void stop();
  std::size_t depth() const { return queue_.size(); }
  // Alarms accepted and not yet written: the queue and the batch in flight.
  std::size_t held() const { return queue_.size() + in_flight_.load(); }
  std::size_t capacity() const { return options_.queue_capacity + options_.max_batch; }
  // Empty while the store takes writes; otherwise why it does not, since
  // when, and what is held. Thread-safe.
  std::string degraded_reason() const;

 private:
  void run();
  // Waits `gather` from `start`, less once a new alarm is queued or
  // gather_max_queued alarms are.
  void gather_from(std::chrono::steady_clock::time_point start);
  // Moves into `batch` what is queued now, folding as it goes, until the
  // batch holds max_batch alarms.
  void take_queued(std::vector<Alarm>& batch);
  void write_batch(std::vector<Alarm>& batch);
  void coalesce(std::vector<Alarm>& batch);
  void note_failure(const std::string& error);
  void note_success();

  void send_downstream(const std::vector<Alarm>& alarms, std::size_t from) noexcept;

  AlarmWriter& writer_;
  AlarmSink* downstream_ = nullptr;
  ChangeSignal* committed_ = nullptr;
  StoreWriterOptions options_;
  BoundedQueue<Alarm> queue_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> in_flight_{0};
  std::mutex new_mu_;  // guards recent_, new_queued_ and last_early_
  std::condition_variable new_cv_;
  RecentKeys recent_;
  bool new_queued_ = false;  // a new alarm is queued (not yet taken into a batch)
  std::chrono::steady_clock::time_point last_early_{};  // when a gather last ended early
  mutable std::mutex health_mu_;
  std::int64_t failing_since_ms_ = 0;  // 0 while healthy
  std::string last_error_;
  Counter& stored_;
  Counter& write_failures_;
  Counter& retention_deleted_;
  Counter& coalesced_;
  Counter& degraded_;
  Counter& lost_at_stop_;
};

}  // namespace cshield
