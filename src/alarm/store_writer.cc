#include "alarm/store_writer.h"

#include <algorithm>
#include <iostream>

#include "alarm/coalesce.h"
#include "core/thread_name.h"
#include "core/time_format.h"

namespace cshield {

namespace {
// Once stop() is called, a failing batch gets this many more tries.
constexpr int kAttemptsWhileStopping = 3;
}  // namespace

StoreWriter::StoreWriter(AlarmWriter& writer, Counters& counters, StoreWriterOptions options)
    : writer_(writer),
      options_(options),
      queue_(options.queue_capacity),
      recent_(options.recent_window),
      stored_(counters.counter("store.alarms_written", "alarm rows written or folded into, after in-memory coalescing")),
      write_failures_(counters.counter("store.write_failures", "failed batch writes (retried)")),
      retention_deleted_(counters.counter("store.retention_deleted", "alarms deleted by retention")),
      coalesced_(counters.counter("store.coalesced", "repeats folded in memory before reaching the store")),
      degraded_(counters.gauge("store.degraded", "1 while the store refuses writes and alarms are held in memory")),
      lost_at_stop_(counters.counter("store.lost_at_stop", "alarms a still-refusing store could not take at stop")) {
  counters.gauge_fn("queue.alarms.depth", "alarms waiting for the store", [this] { return queue_.size(); });
  counters.gauge_fn("queue.alarms.dropped", "alarms dropped because the store queue was full",
                    [this] { return queue_.dropped(); });
  counters.gauge_fn("store.held", "alarms accepted and not yet written (queue and batch in flight)",
                    [this] { return held(); });
}

StoreWriter::~StoreWriter() { stop(); }

void StoreWriter::publish(const Alarm& alarm) { publish_owned(Alarm(alarm)); }

void StoreWriter::publish_owned(Alarm&& alarm) {
  const std::size_t key = alarm.fold_key_hash();
  bool is_new = false;
  {
    std::lock_guard<std::mutex> lock(new_mu_);
    is_new = recent_.note(key, std::chrono::steady_clock::now());
    // A new alarm is queued and flagged under one lock: a batch that clears
    // the flag (take_queued) finds the alarm queued.
    if (is_new && queue_.try_push(std::move(alarm))) new_queued_ = true;
  }
  if (is_new) {
    new_cv_.notify_one();
  } else if (queue_.try_push(std::move(alarm)) && queue_.size() == options_.gather_max_queued) {
    {
      std::lock_guard<std::mutex> lock(new_mu_);  // no gather misses the wake-up
    }
    new_cv_.notify_one();
  }
}

void StoreWriter::start() { thread_ = std::thread([this] {
    name_this_thread("cs-store");
    run();
  }); }

void StoreWriter::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(new_mu_);  // a gather sees stopping_ or is woken
  }
  new_cv_.notify_all();
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void StoreWriter::send_downstream(const std::vector<Alarm>& alarms, std::size_t from) noexcept {
  if (!downstream_) return;
  for (std::size_t i = from; i < alarms.size(); ++i) {
    try {
      downstream_->publish(alarms[i]);
    } catch (...) {
      // An exporter's own queue counts what it drops; nothing else to do here.
    }
  }
}

void StoreWriter::write_batch(std::vector<Alarm>& batch) {
  auto backoff = std::chrono::milliseconds(100);
  int attempts_while_stopping = 0;
  bool sent_without_ids = false;  // the store refused: exported before stored
  while (true) {
    in_flight_ = batch.size();
    try {
      const auto ids = writer_.write(batch);
      if (committed_) committed_->notify();
      if (!sent_without_ids) {
        for (std::size_t i = 0; i < batch.size() && i < ids.size(); ++i) batch[i].id = ids[i];
        send_downstream(batch, 0);
      }
      stored_.add(batch.size());
      batch.clear();
      in_flight_ = 0;
      note_success();
      return;
    } catch (const std::exception& e) {
      write_failures_.add();
      note_failure(e.what());
      if (!sent_without_ids) send_downstream(batch, 0);
      sent_without_ids = true;
    }
    if (stopping_ && ++attempts_while_stopping > kAttemptsWhileStopping) {
      // Shutting down with a store that keeps refusing: report what is lost.
      std::cerr << "cshieldd: " << batch.size() << " alarms could not be stored before exit\n";
      lost_at_stop_.add(batch.size());
      batch.clear();
      in_flight_ = 0;
      return;
    }
    std::this_thread::sleep_for(backoff);  // back-off before a retry; the queue keeps filling meanwhile
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    // Repeats waiting behind the held batch fold into it, so a storm during
    // an outage costs one held alarm per fold key, not one per event.
    if (batch.size() < options_.max_batch) {
      const std::size_t held = batch.size();
      queue_.drain(batch, options_.max_batch - batch.size());
      send_downstream(batch, held);  // exported now, like the batch they join
      coalesce(batch);
    }
  }
}

void StoreWriter::note_failure(const std::string& error) {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (failing_since_ms_ == 0) {
    failing_since_ms_ = now_ms();
    std::cerr << "cshieldd: the alarm store refuses writes, holding alarms in memory (at most " << capacity()
              << ") and retrying: " << error << "\n";
  } else if (error != last_error_) {
    std::cerr << "cshieldd: the alarm store still refuses writes: " << error << "\n";
  }
  last_error_ = error;
  degraded_.set(1);
}

void StoreWriter::note_success() {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (failing_since_ms_ == 0) return;
  std::cerr << "cshieldd: the alarm store takes writes again after "
            << (now_ms() - failing_since_ms_) / 1000 << " s; held alarms are being written\n";
  failing_since_ms_ = 0;
  last_error_.clear();
  degraded_.set(0);
}

std::string StoreWriter::degraded_reason() const {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (failing_since_ms_ == 0) return {};
  return "the alarm store refuses writes since " + format_rfc3339_ms(failing_since_ms_) + " (" + last_error_ + "); " +
         std::to_string(held()) + " alarms held in memory (at most " + std::to_string(capacity()) + "), " +
         std::to_string(queue_.dropped()) + " dropped";
}

// Repeats within one batch fold here, before the store sees them: an alarm
// storm costs one row update per batch, not one per event.
void StoreWriter::coalesce(std::vector<Alarm>& batch) { coalesced_.add(coalesce_repeats(batch)); }

void StoreWriter::gather_from(std::chrono::steady_clock::time_point start) {
  std::unique_lock<std::mutex> lock(new_mu_);
  const auto full = start + options_.gather;
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= full || queue_.size() >= options_.gather_max_queued) return;
    const auto early = last_early_ + options_.new_every;  // at most one early end per new_every
    if (new_queued_ && now >= early) {
      last_early_ = now;
      return;
    }
    new_cv_.wait_until(lock, new_queued_ ? std::min(early, full) : full);
  }
}

void StoreWriter::take_queued(std::vector<Alarm>& batch) {
  // At most what is queued now (a publisher that keeps up with the writer
  // cannot hold a batch open), and with it every new alarm flagged so far.
  std::size_t left = 0;
  {
    std::lock_guard<std::mutex> lock(new_mu_);
    new_queued_ = false;
    left = queue_.size();
  }
  while (left > 0 && batch.size() < options_.max_batch) {
    const std::size_t took = queue_.drain(batch, std::min(left, options_.max_batch - batch.size()));
    if (took == 0) break;
    left -= took;
    coalesce(batch);
  }
  if (left == 0) return;
  std::lock_guard<std::mutex> lock(new_mu_);
  new_queued_ = true;  // a new alarm may be among those left: the next gather ends early
}

void StoreWriter::run() {
  auto next_retention = std::chrono::steady_clock::now();
  std::vector<Alarm> batch;
  auto last_write = std::chrono::steady_clock::now() - std::chrono::hours(1);
  while (true) {
    auto first = queue_.pop_for(std::chrono::milliseconds(500));
    if (first) {
      const auto now = std::chrono::steady_clock::now();
      // A storm: let the batch fill, unless a full batch is already waiting
      // (then gathering would only cap the write rate and grow the queue).
      if (!stopping_ && options_.gather.count() > 0 && now - last_write < options_.busy_within &&
          queue_.size() + 1 < options_.max_batch)
        gather_from(now);
      batch.push_back(std::move(*first));
      take_queued(batch);
      write_batch(batch);
      last_write = std::chrono::steady_clock::now();
    } else if (stopping_ && queue_.size() == 0) {
      break;
    }
    if (std::chrono::steady_clock::now() >= next_retention) {
      try {
        retention_deleted_.add(static_cast<std::uint64_t>(writer_.apply_retention(now_ms())));
      } catch (const std::exception& e) {
        std::cerr << "cshieldd: retention failed: " << e.what() << "\n";
      }
      next_retention = std::chrono::steady_clock::now() + options_.retention_every;
    }
  }
}

}  // namespace cshield
