// Container inventory writes off the pipeline thread: record_start() and
// record_stop() queue the write and return at once, so a busy database (the
// alarm writer's transaction, a slow disk) never holds up event processing.
// One thread of its own applies the writes in order; a full queue drops the
// write and counts it (startup.inventory_dropped); failures are counted
// (startup.store_errors) and logged. The destructor applies what is queued,
// then joins.
//
// record_*: any thread. Keeps a reference to the inventory and counters,
// which must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <variant>

#include "core/bounded_queue.h"
#include "core/container_posture.h"
#include "core/counters.h"
#include "store/container_inventory.h"

namespace cshield {

class InventoryWriter {
 public:
  InventoryWriter(ContainerInventory& inventory, Counters& counters, std::size_t capacity = 4096);
  ~InventoryWriter();
  InventoryWriter(const InventoryWriter&) = delete;
  InventoryWriter& operator=(const InventoryWriter&) = delete;

  void record_start(const ContainerStart& start, std::int64_t judged_ms) noexcept;
  void record_stop(const std::string& id, std::int64_t stopped_ms) noexcept;

 private:
  struct Start {
    ContainerStart start;
    std::int64_t judged_ms;
  };
  struct Stop {
    std::string id;
    std::int64_t stopped_ms;
  };
  using Write = std::variant<Start, Stop>;

  void push(Write write) noexcept;
  void run();
  void apply(const Write& write) noexcept;

  ContainerInventory& inventory_;
  BoundedQueue<Write> queue_;
  Counter& stops_;
  Counter& store_errors_;
  Counter& dropped_;
  std::thread thread_;
};

}  // namespace cshield
