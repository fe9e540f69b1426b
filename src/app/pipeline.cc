#include "app/pipeline.h"

#include <vector>

#include "detect/event_facts.h"

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
  detectors_ = std::move(detectors);
}

std::shared_ptr<const DetectorSet> Pipeline::detectors() const {
  std::lock_guard<std::mutex> lock(detectors_mu_);
  return detectors_;
}

bool Pipeline::interested(const AuditEvent& skeleton) const noexcept {
  try {
    const auto set = detectors();
    for (const auto& d : set->detectors)
      if (d->wants(skeleton)) return true;
  } catch (...) {
    return true;  // undecided: let on_event() see it whole
  }
  return false;
}

void Pipeline::on_event(const AuditEvent& event) noexcept {
  try {
    const auto set = detectors();
    std::vector<const Detector*> wanting;
    for (const auto& d : set->detectors)
      if (d->wants(event)) wanting.push_back(d.get());
    if (wanting.empty()) return;
    inspected_.add();

    ProcessInfo process = process_from_event(event);
    const std::optional<ContainerInfo> container = resolve_(process);
    const EventContext ctx{event, process, container ? &*container : nullptr};
    std::vector<Alarm> raised;
    for (const Detector* d : wanting) d->evaluate(ctx, raised);
    for (auto& a : raised) {
      a.container = container;
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

}  // namespace cshield
