#include "export/queued_exporter.h"

#include <algorithm>

#include "alarm/coalesce.h"
#include "core/thread_name.h"

namespace cshield {

QueuedExporter::QueuedExporter(std::string name, std::string target, std::unique_ptr<ExportChannel> channel,
                               Counters& counters, QueuedExporterOptions options)
    : name_(std::move(name)),
      target_(std::move(target)),
      channel_(std::move(channel)),
      options_(options),
      queue_(options.queue_capacity),
      sent_(counters.counter("export." + name_ + ".sent", "alarms delivered by the " + name_ + " exporter")),
      retries_(counters.counter("export." + name_ + ".retries",
                                "failed deliveries of the " + name_ + " exporter, each retried after a back-off")),
      abandoned_(counters.counter("export." + name_ + ".abandoned",
                                  "alarms the " + name_ + " exporter still could not deliver when stopping")),
      rejected_(counters.counter("export." + name_ + ".rejected",
                                 "alarms the " + name_ + " exporter can never deliver (too large)")),
      folded_(counters.counter("export." + name_ + ".folded",
                               "repeats the " + name_ + " exporter sent as one alarm (alarm_count) instead")) {
  counters.gauge_fn("export." + name_ + ".depth", "alarms waiting for the " + name_ + " exporter",
                    [this] { return queue_.size(); });
  counters.gauge_fn("export." + name_ + ".dropped",
                    "alarms the " + name_ + " exporter dropped (queue full, rejected, or undeliverable at stop)",
                    [this] { return queue_.dropped() + abandoned_.get() + rejected_.get(); });
}

QueuedExporter::~QueuedExporter() { stop(); }

void QueuedExporter::publish(const Alarm& alarm) {
  if (!queue_.try_push(alarm) || queue_.size() != options_.max_batch) return;
  {
    std::lock_guard<std::mutex> lock(mu_);  // no gather() misses the wake-up
  }
  wake_.notify_all();
}

void QueuedExporter::start() { thread_ = std::thread([this] {
    name_this_thread("cs-export-" + name_);
    run();
  }); }

void QueuedExporter::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);  // no pause() misses the wake-up
  }
  wake_.notify_all();
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

ExporterStatus QueuedExporter::status() const {
  ExporterStatus s;
  s.name = name_;
  s.target = target_;
  s.sent = sent_.get();
  s.retries = retries_.get();
  s.dropped = queue_.dropped() + abandoned_.get() + rejected_.get();
  s.depth = queue_.size();
  s.failing = failing_.load();
  std::lock_guard<std::mutex> lock(mu_);
  s.last_error = last_error_;
  return s;
}

void QueuedExporter::pause(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void QueuedExporter::gather(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, d, [this] { return stopping_.load() || queue_.size() >= options_.max_batch; });
}

void QueuedExporter::deliver(const Alarm& alarm) {
  if (gave_up_) {  // stopping, and the channel already failed its last tries
    abandoned_.add();
    return;
  }
  auto backoff = options_.initial_backoff;
  int attempts_while_stopping = 0;
  while (true) {
    if (reopen_.exchange(false)) channel_->reopen();
    std::string error;
    SendResult result = SendResult::failed;
    try {
      result = channel_->send(alarm, error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (result == SendResult::delivered) {
      sent_.add();
      failing_ = false;
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_error_ = error.empty() ? "delivery failed" : error;
    }
    if (result == SendResult::rejected) {
      rejected_.add();
      return;
    }
    retries_.add();
    failing_ = true;
    if (stopping_ && ++attempts_while_stopping > options_.attempts_while_stopping) {
      abandoned_.add();
      gave_up_ = true;
      return;
    }
    pause(stopping_ ? options_.initial_backoff : backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

void QueuedExporter::run() {
  auto last_delivery = std::chrono::steady_clock::now() - std::chrono::hours(1);
  std::vector<Alarm> batch;
  while (true) {
    if (!stopping_ && options_.gather.count() > 0 && queue_.size() < options_.max_batch &&
        std::chrono::steady_clock::now() - last_delivery < options_.busy_within)
      gather(options_.gather);  // a storm: let alarms queue instead of waking per alarm
    auto alarm = queue_.pop_for(std::chrono::milliseconds(500));
    if (alarm) {
      batch.push_back(std::move(*alarm));
      queue_.drain(batch, options_.max_batch > 0 ? options_.max_batch - 1 : 0);
      folded_.add(coalesce_repeats(batch));
      for (const auto& a : batch) deliver(a);
      batch.clear();
      last_delivery = std::chrono::steady_clock::now();
    } else if (stopping_ && queue_.size() == 0) {
      break;
    } else if (reopen_.exchange(false)) {
      channel_->reopen();
    }
  }
}

}  // namespace cshield
