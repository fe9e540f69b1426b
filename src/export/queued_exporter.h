// An exporter: publish() (pipeline thread) only enqueues into a bounded queue
// that counts what it drops; a thread of its own hands the alarms, in order,
// to an ExportChannel. An alarm the channel fails to deliver is retried with back-off
// (doubling from initial_backoff to max_backoff) while the queue behind it
// keeps accepting and, when full, drops the newest alarms, counted. So a dead
// receiver never blocks detection, and delivery resumes when it is back. An
// alarm the channel rejects (never deliverable) is dropped, counted.
// At stop() the queue is delivered; an alarm that still fails after a few
// quick tries is dropped, counted, and so is everything queued behind it.
// Counters (registered in the constructor): export.<name>.sent, .retries,
// .dropped (queue full + rejected + abandoned), .depth, .rejected, .abandoned,
// .folded.
// status() and request_reopen() are thread-safe.
// While alarms keep coming (one was delivered less than `busy_within` ago),
// the thread sleeps `gather` before taking the next, then sends what queued
// meanwhile (up to max_batch) without a wake-up per alarm, repeats folded
// into one alarm whose count adds up (Alarm::fold_key, as the store folds):
// a storm costs one export per distinct alarm per `gather`, not one per
// event. The sleep ends early once max_batch alarms are queued, so a flood
// is sent as fast as the channel takes it. A lone alarm goes out at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alarm/alarm_sink.h"
#include "core/bounded_queue.h"
#include "core/counters.h"
#include "export/export_channel.h"

namespace cshield {

struct QueuedExporterOptions {
  std::size_t queue_capacity = 10000;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  int attempts_while_stopping = 2;
  // Exports wait for the store (they carry its id), so this only adds to
  // the SIEM's delay, not to the API's; 100 ms keeps a steady stream of
  // alarms at one send per distinct alarm per 100 ms (the audit exporter's
  // records come back to cshieldd's reader: fewer is cheaper twice).
  std::chrono::milliseconds gather{100};
  std::chrono::milliseconds busy_within{250};
  std::size_t max_batch = 1024;
};

struct ExporterStatus {
  std::string name;    // "audit", "syslog", "jsonl"
  std::string target;  // where it sends: "udp://127.0.0.1:514", a file path, "kernel audit"
  std::uint64_t sent = 0, dropped = 0, retries = 0, depth = 0;
  std::string last_error;  // empty when none yet
  bool failing = false;    // the last attempt failed
};

class QueuedExporter : public AlarmSink {
 public:
  // `counters` must outlive this object.
  QueuedExporter(std::string name, std::string target, std::unique_ptr<ExportChannel> channel, Counters& counters,
                 QueuedExporterOptions options = {});
  ~QueuedExporter() override;

  void publish(const Alarm& alarm) override;
  void start();
  // Delivers what is queued (bounded tries), then stops the thread. Idempotent.
  void stop();
  // The channel reopens before its next send (SIGHUP, logrotate).
  void request_reopen() { reopen_ = true; }
  ExporterStatus status() const;

 private:
  void run();
  void deliver(const Alarm& alarm);
  // Sleeps `d` unless stop() is called meanwhile.
  void pause(std::chrono::milliseconds d);
  // Sleeps `d` unless stop() is called or max_batch alarms queue meanwhile.
  void gather(std::chrono::milliseconds d);

  const std::string name_, target_;
  std::unique_ptr<ExportChannel> channel_;
  QueuedExporterOptions options_;
  BoundedQueue<Alarm> queue_;
  std::thread thread_;
  std::atomic<bool> stopping_{false}, reopen_{false}, failing_{false};
  bool gave_up_ = false;  // worker thread only
  mutable std::mutex mu_;  // guards last_error_; pairs with wake_ for pause() and gather()
  std::condition_variable wake_;
  std::string last_error_;
  Counter& sent_;
  Counter& retries_;
  Counter& abandoned_;  // given up at stop
  Counter& rejected_;   // SendResult::rejected
  Counter& folded_;     // repeats sent as one
};

}  // namespace cshield
