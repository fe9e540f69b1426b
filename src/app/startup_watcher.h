// Container starts and stops for abnormal_startup and the inventory.
//
// observe() is the pipeline's Observe hook: for the execution of an OCI
// runtime (key cshield.abnormal_startup) with `create`/`run` it reads the
// bundle the moment the event is seen and hands the start to the detectors,
// unless that start was already judged; for `delete` it marks the container
// stopped. For any event in a container it supplies the container's posture.
// Every judged start is recorded in the ContainerInventory (posture, start
// time, judged marker).
//
// sweep() runs every kSweepInterval: a judged container whose runtime state
// (ContainerStartReader::listed) says its init process died, or whose state
// was seen before and is now gone, is marked stopped, for when the runtime's
// `delete` was not audited (another runtime binary, lost events, a killed
// shim). Containers whose state cshield cannot read are left as they are.
//
// inventory() runs once at daemon start, before events flow: the containers
// already running whose start was never judged (cshieldd was down) are
// returned for judgement; containers the store believes running but which
// are gone are marked stopped.
//
// Pipeline thread only. Keeps references to the reader, inventory, writer
// and counters. Never throws: store failures are counted and logged. Writes
// go through the InventoryWriter's queue: a kill -9 loses at most the writes
// of the last moments (a start judged again after the restart).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/inventory_writer.h"
#include "app/pipeline.h"
#include "core/counters.h"
#include "enrich/container_start_reader.h"
#include "store/container_inventory.h"

namespace cshield {

class StartupWatcher {
 public:
  // A start found by the inventory is the one an audited create showed when
  // the create's time lies within [created - kCreateLead, created + kClockSlack].
  static constexpr std::int64_t kCreateLeadMs = 10000;
  static constexpr std::int64_t kClockSlackMs = 1000;
  static constexpr std::chrono::seconds kSweepInterval{5};

  // `inventory` answers the reads (judged starts, containers believed
  // running), `writer` takes the writes; either may be null (no store).
  StartupWatcher(const ContainerStartReader& reader, ContainerInventory* inventory, InventoryWriter* writer,
                 Counters& counters, std::string fs_root = "/");

  Pipeline::Observation observe(const AuditEvent& event, const ProcessInfo& process,
                                const ContainerInfo* container) noexcept;
  std::vector<ContainerStart> inventory(std::int64_t now_ms) noexcept;
  void sweep(std::int64_t now_ms) noexcept;

 private:
  std::optional<ContainerStart> on_runtime(const AuditEvent& event);
  bool judged_here(const std::string& id, std::int64_t exec_ms) const;
  void record_start(const ContainerStart& start, std::int64_t judged_ms);
  void record_stop(const std::string& id, std::int64_t stopped_ms);

  const ContainerStartReader& reader_;
  ContainerInventory* inventory_;
  InventoryWriter* writer_;
  std::string fs_root_;
  std::map<std::string, std::int64_t> judged_;  // container id -> latest judged start
  std::set<std::string> observable_;  // judged containers once seen in a runtime state directory
  std::map<std::string, std::optional<ContainerPosture>> postures_;  // nullopt: bundle unreadable
  Counter& starts_;
  Counter& unreadable_;
  Counter& store_errors_;
};

}  // namespace cshield
