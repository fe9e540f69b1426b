#include "app/startup_watcher.h"

#include <set>

#include "app/log.h"
#include "detect/abnormal_startup.h"
#include "detect/event_facts.h"

namespace cshield {
namespace {

constexpr std::size_t kMaxPostures = 16384;

}  // namespace

StartupWatcher::StartupWatcher(const ContainerStartReader& reader, ContainerInventory* inventory,
                               InventoryWriter* writer, Counters& counters, std::string fs_root)
    : reader_(reader),
      inventory_(inventory),
      writer_(writer),
      fs_root_(std::move(fs_root)),
      starts_(counters.counter("startup.starts", "container starts judged for abnormal_startup")),
      unreadable_(counters.counter("startup.unreadable_bundles", "container starts whose bundle could not be read")),
      store_errors_(counters.counter("startup.store_errors", "inventory writes that failed")) {}

Pipeline::Observation StartupWatcher::observe(const AuditEvent& event, const ProcessInfo&,
                                              const ContainerInfo* container) noexcept {
  Pipeline::Observation seen;
  try {
    if (event.key() == kAbnormalStartupKey) seen.start = on_runtime(event);
    if (container) {
      auto it = postures_.find(container->id);
      if (it == postures_.end()) {
        if (postures_.size() >= kMaxPostures) postures_.clear();
        it = postures_.emplace(container->id, reader_.posture_of(*container)).first;
      }
      seen.posture = it->second;
    }
  } catch (...) {
    // An event without observation is still evaluated.
  }
  return seen;
}

std::optional<ContainerStart> StartupWatcher::on_runtime(const AuditEvent& event) {
  const AuditRecord* sys = event.syscall();
  if (!sys || sys->raw("success").value_or("") != "yes") return std::nullopt;
  const auto command = parse_runtime_command(exec_argv(event));
  if (!command || command->id.empty()) return std::nullopt;
  if (command->command == "delete") {
    record_stop(command->id, event.time_ms);
    return std::nullopt;
  }
  if (command->command != "create" && command->command != "run") return std::nullopt;
  if (judged_here(command->id, event.time_ms)) return std::nullopt;
  std::string cwd;
  if (const AuditRecord* c = event.first(rec::kCwd)) cwd = c->text("cwd").value_or("");
  auto start = reader_.start_of(sys->text("exe").value_or(""), *command, cwd, event.time_ms);
  if (!start) {
    unreadable_.add();
    return std::nullopt;
  }
  record_start(*start, event.time_ms);
  if (on_start_) on_start_(*start);
  return start;
}

bool StartupWatcher::judged_here(const std::string& id, std::int64_t exec_ms) const {
  auto it = judged_.find(id);
  return it != judged_.end() && it->second >= exec_ms - kClockSlackMs && it->second <= exec_ms + kCreateLeadMs;
}

void StartupWatcher::record_start(const ContainerStart& start, std::int64_t judged_ms) {
  starts_.add();
  judged_[start.container.id] = start.started_ms;
  postures_[start.container.id] = start.posture;
  if (writer_) writer_->record_start(start, judged_ms);
}

void StartupWatcher::record_stop(const std::string& id, std::int64_t stopped_ms) {
  judged_.erase(id);
  observable_.erase(id);
  postures_.erase(id);
  if (on_stop_) on_stop_(id);
  if (writer_) writer_->record_stop(id, stopped_ms);
}

void StartupWatcher::sweep(std::int64_t now_ms) noexcept {
  try {
    if (judged_.empty()) return;
    std::map<std::string, bool> listed;  // id -> alive
    for (const auto& r : reader_.listed(fs_root_)) listed[r.id] = r.alive;
    std::vector<std::string> gone;
    for (const auto& entry : judged_) {
      const std::string& id = entry.first;
      auto it = listed.find(id);
      if (it != listed.end()) observable_.insert(id);
      // Its state says the init died, or the state it had is gone.
      if ((it != listed.end() && !it->second) || (it == listed.end() && observable_.count(id))) gone.push_back(id);
    }
    for (const auto& id : gone) record_stop(id, now_ms);
  } catch (const std::exception& e) {
    store_errors_.add();
    log_warn(std::string("container sweep: ") + e.what());
  }
}

std::vector<ContainerStart> StartupWatcher::inventory(std::int64_t now_ms) noexcept {
  std::vector<ContainerStart> unjudged;
  try {
    std::set<std::string> running;
    for (const auto& r : reader_.running(fs_root_)) {
      running.insert(r.id);
      observable_.insert(r.id);
      auto start = reader_.start_of(r);
      if (!start) {
        unreadable_.add();
        continue;
      }
      const std::int64_t created = start->started_ms;
      bool judged = false;
      if (inventory_) {
        try {
          judged = inventory_->judged(r.id, created - kCreateLeadMs, created + kClockSlackMs);
        } catch (const std::exception& e) {
          store_errors_.add();
          log_warn(std::string("container inventory: ") + e.what());
        }
      }
      judged_[r.id] = created;
      postures_[r.id] = start->posture;
      if (judged) {
        if (on_start_) on_start_(*start);
        continue;
      }
      record_start(*start, now_ms);
      if (on_start_) on_start_(*start);
      unjudged.push_back(std::move(*start));
    }
    if (inventory_) {
      for (const auto& id : inventory_->running())
        if (!running.count(id)) record_stop(id, now_ms);
    }
    log_info("container inventory: " + std::to_string(running.size()) + " running, " +
             std::to_string(unjudged.size()) + " started while cshieldd was not watching");
  } catch (const std::exception& e) {
    store_errors_.add();
    log_warn(std::string("container inventory: ") + e.what());
  }
  return unjudged;
}

}  // namespace cshield
