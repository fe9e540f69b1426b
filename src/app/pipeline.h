// The per-event path: pre-filter by the detectors, resolve the process and
// its container, evaluate, fill in what every alarm shares, publish.
// The pre-filter runs once per event: on_event() of the event whose skeleton
// interested() was just asked about (same serial, time and records) reuses
// the detectors that wanted it (wants() decides from the skeleton alone).
// Called from the pipeline thread only (in the daemon: the pipeline's work,
// one thread at a time, app/pipeline_work.h), except set_detectors() (any thread):
// a new detector set is picked up at the next event, without a lock or a
// reference count per event on the hot path.
// Alarms are handed to the sink with publish_owned().
// An event's first alarm is built without its details (DetailDemand) when
// the sink would not read them (AlarmSink::reads_details): it is published
// first, so nothing the sink is handed in between changes that answer.
// Never throws: a failing event is counted and skipped.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

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
  // (skeleton events). Remembers which did, for the on_event() of that
  // event. Pipeline thread.
  bool interested(const AuditEvent& skeleton) const noexcept;
  // Whether the event interested() was last asked about needs the fields of
  // its records of `record_type` (fit for EventAssembler::RecordDemand): the
  // pipeline's own (the process: PROCTITLE and the user-space authentication
  // records) and those a detector that wanted it reads
  // (Detector::reads_record). Every type when an observer is set (it may
  // read anything) or interested() could not decide. Pipeline thread.
  bool reads_record(int record_type) const noexcept;
  // Whether any event may need the fields of its records of `record_type`
  // (fit for EventAssembler::set_type_demand()): reads_record() of every
  // event, for the detector set in use. Pipeline thread.
  bool may_read_record(int record_type) const noexcept;
  void set_detectors(std::shared_ptr<const DetectorSet> detectors);

 private:
  // The set in use; swaps in a set_detectors() one first. Pipeline thread.
  const DetectorSet& detectors() const;
  // The detectors' DetailDemand during on_event(): asks the sink about the
  // event's first alarm, once; every other alarm gets its details.
  class SinkDemand : public DetailDemand {
   public:
    SinkDemand(const AlarmSink& sink, const std::vector<Alarm>& raised) : sink_(sink), raised_(raised) {}
    // Opens the question for an event (the pointers must outlive close()).
    void open(const AuditEvent& event, const ProcessInfo& process, const ContainerInfo* container);
    void close() { open_ = false; }
    bool details_wanted(const Alarm& alarm) const override;

   private:
    const AlarmSink& sink_;
    const std::vector<Alarm>& raised_;  // the event's alarms so far
    mutable bool open_ = false;
    std::int64_t time_ms_ = 0;
    const ProcessInfo* process_ = nullptr;
    const ContainerInfo* container_ = nullptr;
    mutable Alarm probe_;  // fold key, times, count and status of the alarm asked about
  };

  // Fills wanting_ with the detectors of `set` that want `event`.
  void collect_wanting(const DetectorSet& set, const AuditEvent& event) const;

  // The event interested() last saw, whose wanting_ on_event() may reuse.
  struct Asked {
    const DetectorSet* set = nullptr;  // null: nothing to reuse
    std::uint64_t serial = 0;
    std::int64_t time_ms = 0;
    std::size_t records = 0;
  };

  mutable std::mutex detectors_mu_;
  std::shared_ptr<const DetectorSet> next_detectors_;  // guarded by detectors_mu_
  mutable std::atomic<bool> detectors_changed_{false};
  mutable std::shared_ptr<const DetectorSet> detectors_;  // pipeline thread only
  // Scratch of the pipeline thread, kept between events to spare an
  // allocation per event.
  mutable std::vector<const Detector*> wanting_;
  mutable Asked asked_;
  Resolve resolve_;
  Observe observe_;
  AlarmSink& sink_;
  Counter& inspected_;
  Counter& alarms_;
  Counter& errors_;
  std::vector<Alarm> raised_;  // the event's alarms (scratch, like wanting_)
  SinkDemand demand_{sink_, raised_};  // after sink_ and raised_
};

}  // namespace cshield
