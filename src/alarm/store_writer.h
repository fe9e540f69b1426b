// The store's sink: publish() (pipeline thread) only enqueues into a bounded
// queue that counts what it drops; a writer thread of its own drains it in
// batches, one transaction each, and applies retention now and then.
// Repeats within a batch (equal fold keys) are folded in memory first.
// While alarms keep coming (the previous batch was written less than
// `busy_within` ago), the writer waits `gather` before draining, so a storm
// costs one transaction per `gather`, not one per alarm; a lone alarm is
// written at once.
// A batch that fails to write is retried with back-off while the queue
// behind it keeps accepting (and, when full, counting drops), so a slow or
// failing disk never blocks detection.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "alarm/alarm_sink.h"
#include "core/bounded_queue.h"
#include "core/counters.h"
#include "store/alarm_repository.h"

namespace cshield {

struct StoreWriterOptions {
  std::size_t queue_capacity = 65536;
  std::size_t max_batch = 512;
  std::chrono::milliseconds retention_every{std::chrono::minutes(10)};
  std::chrono::milliseconds gather{5};
  std::chrono::milliseconds busy_within{50};
};

class StoreWriter : public AlarmSink {
 public:
  // `writer` and `counters` must outlive this object.
  StoreWriter(AlarmWriter& writer, Counters& counters, StoreWriterOptions options = {});
  ~StoreWriter() override;

  void publish(const Alarm& alarm) override;
  void start();
  // Writes what is queued, then stops the thread. Idempotent.
  void stop();
  std::size_t depth() const { return queue_.size(); }

 private:
  void run();
  void write_batch(std::vector<Alarm>& batch);
  void coalesce(std::vector<Alarm>& batch);

  AlarmWriter& writer_;
  StoreWriterOptions options_;
  BoundedQueue<Alarm> queue_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  Counter& stored_;
  Counter& write_failures_;
  Counter& retention_deleted_;
  Counter& coalesced_;
};

}  // namespace cshield
