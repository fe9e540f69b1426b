// The per-event path: pre-filter by the detectors, resolve the process and
// its container, evaluate, fill in what every alarm shares, publish.
// Called from the pipeline thread only, except set_detectors() (any thread):
// a new detector set is picked up at the next event, without a lock or a
// reference count per event on the hot path.
// Never throws: a failing event is counted and skipped.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "alarm/alarm_sink.h"
#include "app/detector_set.h"
#include "core/audit_event.h"
#include "core/counters.h"

namespace cshield {

class Pipeline {
 public:
  // Completes `process` (cmdline, exe) where it can and returns its container,
  // nullopt for a host process.
  using Resolve = std::function<std::optional<ContainerInfo>(ProcessInfo& process)>;

  Pipeline(std::shared_ptr<const DetectorSet> detectors, Resolve resolve, AlarmSink& sink, Counters& counters);

  // What enrichment adds to an event a detector wants (StartupWatcher): a
  // container start it shows and the posture of the event's container.
  struct Observation {
    std::optional<ContainerStart> start;
    std::optional<ContainerPosture> posture;
    std::optional<ExecutionFacts> execution;  // what /proc showed of an execution
  };
  using Observe = std::function<Observation(const AuditEvent&, const ProcessInfo&, const ContainerInfo*)>;

  void on_event(const AuditEvent& event) noexcept;
  // Evaluates a container start found other than through an event (the
  // inventory at daemon start): every detector sees it with an empty event.
  void on_start(const ContainerStart& start, std::int64_t time_ms) noexcept;
  // Set before the first on_event().
  void set_observer(Observe observe) { observe_ = std::move(observe); }
  // Whether any detector wants the event; fit for EventAssembler::Interest
  // (skeleton events). Pipeline thread.
  bool interested(const AuditEvent& skeleton) const noexcept;
  void set_detectors(std::shared_ptr<const DetectorSet> detectors);

 private:
  // The set in use; swaps in a set_detectors() one first. Pipeline thread.
  const DetectorSet& detectors() const;

  mutable std::mutex detectors_mu_;
  std::shared_ptr<const DetectorSet> next_detectors_;  // guarded by detectors_mu_
  mutable std::atomic<bool> detectors_changed_{false};
  mutable std::shared_ptr<const DetectorSet> detectors_;  // pipeline thread only
  Resolve resolve_;
  Observe observe_;
  AlarmSink& sink_;
  Counter& inspected_;
  Counter& alarms_;
  Counter& errors_;
};

}  // namespace cshield
