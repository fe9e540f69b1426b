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

void Pipeline::collect_wanting(const DetectorSet& set, const AuditEvent& event) const {
  wanting_.clear();
  for (const auto& d : set.detectors)
    if (d->wants(event)) wanting_.push_back(d.get());
}

bool Pipeline::interested(const AuditEvent& skeleton) const noexcept {
  asked_.set = nullptr;
  try {
    const DetectorSet& set = detectors();
    collect_wanting(set, skeleton);
    asked_ = Asked{&set, skeleton.serial, skeleton.time_ms, skeleton.records.size()};
    return !wanting_.empty();
  } catch (...) {
    return true;  // undecided: let on_event() see it whole
  }
}

namespace {

// process_from_event(): the command line, and the process of an event
// without SYSCALL or SECCOMP record.
bool process_reads(int record_type) {
  return record_type == rec::kProctitle || record_type == rec::kUserAuth || record_type == rec::kUserLogin ||
         record_type == rec::kUserErr;
}

}  // namespace

bool Pipeline::reads_record(int record_type) const noexcept {
  if (observe_ || !asked_.set || process_reads(record_type)) return true;
  for (const Detector* d : wanting_)
    if (d->reads_record(record_type)) return true;
  return false;
}

bool Pipeline::may_read_record(int record_type) const noexcept {
  if (observe_ || process_reads(record_type)) return true;
  for (const auto& d : detectors().detectors)
    if (d->reads_record(record_type)) return true;
  return false;
}

void Pipeline::SinkDemand::open(const AuditEvent& event, const ProcessInfo& process, const ContainerInfo* container) {
  open_ = true;
  time_ms_ = event.time_ms;
  process_ = &process;
  container_ = container;
}

bool Pipeline::SinkDemand::details_wanted(const Alarm& alarm) const {
  // Only the event's first alarm: the sink gets it first, so its answer
  // still holds when the alarm reaches it.
  if (!open_ || !raised_.empty()) return true;
  open_ = false;
  // As the pipeline will complete it: the container (unless the detector
  // set one), the process's executable, the event's time.
  Alarm& p = probe_;
  p.type = alarm.type;
  p.subtype = alarm.subtype;
  p.syscall = alarm.syscall;
  p.path = alarm.path;
  p.status = alarm.status;
  p.count = alarm.count;
  const ContainerInfo* c = alarm.container ? &*alarm.container : container_;
  if (c) {
    if (!p.container) p.container.emplace();
    p.container->id = c->id;  // of the container, only what the fold key reads
  } else {
    p.container.reset();
  }
  p.process.exe = process_->exe;
  p.first_seen_ms = p.last_seen_ms = time_ms_;
  return sink_.reads_details(p);
}

void Pipeline::on_event(const AuditEvent& event) noexcept {
  try {
    const DetectorSet& set = detectors();
    const bool asked = asked_.set == &set && asked_.serial == event.serial && asked_.time_ms == event.time_ms &&
                       asked_.records == event.records.size();
    asked_.set = nullptr;  // once
    if (!asked) collect_wanting(set, event);
    if (wanting_.empty()) return;
    inspected_.add();

    ProcessInfo process = process_from_event(event);
    std::optional<ContainerInfo> container = resolve_(process);
    Observation seen;
    if (observe_) seen = observe_(event, process, container ? &*container : nullptr);
    const EventContext ctx{event,
                           process,
                           container ? &*container : nullptr,
                           seen.start ? &*seen.start : nullptr,
                           seen.posture ? &*seen.posture : nullptr,
                           seen.execution ? &*seen.execution : nullptr,
                           &demand_};
    std::vector<Alarm>& raised = raised_;
    raised.clear();
    demand_.open(event, process, ctx.container);
    for (const Detector* d : wanting_) d->evaluate(ctx, raised);
    demand_.close();
    link_related_alarms(raised);
    for (auto& a : raised) {
      // The last alarm (most often the only one) takes the process and container.
      const bool last = &a == &raised.back();
      if (!a.container) a.container = last ? std::move(container) : container;
      a.process = last ? std::move(process) : process;
      a.first_seen_ms = a.last_seen_ms = event.time_ms;
      a.audit_serial = event.serial;
      a.audit_time_ms = event.time_ms;
      alarms_.add();
      sink_.publish_owned(std::move(a));  // not read again: cleared below
    }
    raised.clear();
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
