#include "app/pipeline.h"

#include <vector>

#include "detect/event_facts.h"
#include "detect/related_alarms.h"

namespace cshield {

Pipeline::Pipeline(std::shared_ptr<const DetectorSet> detectors, Resolve resolve, AlarmSink& sink,
                   Counters& counters)
    : detectors_(std::move(detectors)),
      resolve_(std::move(resolve)),
      sink_(sink),
      inspected_(counters.counter("pipeline.events_inspected", "events a detector wanted, enriched and evaluated")),
      alarms_(counters.counter("pipeline.alarms_raised", "alarms raised by the detectors (before folding)")),
      errors_(counters.counter("pipeline.errors", "events skipped because their processing failed")) {}

void Pipeline::set_detectors(std::shared_ptr<const DetectorSet> detectors) {
  std::lock_guard<std::mutex> lock(detectors_mu_);
  next_detectors_ = std::move(detectors);
  detectors_changed_.store(true, std::memory_order_release);
}

const DetectorSet& Pipeline::detectors() const {
  if (detectors_changed_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(detectors_mu_);
    detectors_changed_.store(false, std::memory_order_relaxed);
    if (next_detectors_) detectors_ = std::move(next_detectors_);
  }
  return *detectors_;
}

bool Pipeline::interested(const AuditEvent& skeleton) const noexcept {
  try {
    for (const auto& d : detectors().detectors)
      if (d->wants(skeleton)) return true;
  } catch (...) {
    return true;  // undecided: let on_event() see it whole
  }
  return false;
}

void Pipeline::on_event(const AuditEvent& event) noexcept {
  try {
    const DetectorSet& set = detectors();
    std::vector<const Detector*> wanting;
    for (const auto& d : set.detectors)
      if (d->wants(event)) wanting.push_back(d.get());
    if (wanting.empty()) return;
    inspected_.add();

    ProcessInfo process = process_from_event(event);
    const std::optional<ContainerInfo> container = resolve_(process);
    Observation seen;
    if (observe_) seen = observe_(event, process, container ? &*container : nullptr);
    const EventContext ctx{event, process, container ? &*container : nullptr, seen.start ? &*seen.start : nullptr,
                           seen.posture ? &*seen.posture : nullptr,
                           seen.execution ? &*seen.execution : nullptr};
    std::vector<Alarm> raised;
    for (const Detector* d : wanting) d->evaluate(ctx, raised);
    link_related_alarms(raised);
    for (auto& a : raised) {
      if (!a.container) a.container = container;
      a.process = process;
      a.first_seen_ms = a.last_seen_ms = event.time_ms;
      a.audit_serial = event.serial;
      a.audit_time_ms = event.time_ms;
      alarms_.add();
      sink_.publish(a);
    }
  } catch (...) {
    errors_.add();
  }
}

void Pipeline::on_start(const ContainerStart& start, std::int64_t time_ms) noexcept {
  try {
    const DetectorSet& set = detectors();
    AuditEvent event;
    event.time_ms = time_ms;
    const ProcessInfo process;
    const EventContext ctx{event, process, nullptr, &start, nullptr};
    std::vector<Alarm> raised;
    for (const auto& d : set.detectors) d->evaluate(ctx, raised);
    for (auto& a : raised) {
      a.first_seen_ms = a.last_seen_ms = a.audit_time_ms = time_ms;
      alarms_.add();
      sink_.publish(a);
    }
  } catch (...) {
    errors_.add();
  }
}

}  // namespace cshield
