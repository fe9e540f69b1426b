#include "app/inventory_writer.h"

#include "app/log.h"
#include "core/thread_name.h"

namespace cshield {

InventoryWriter::InventoryWriter(ContainerInventory& inventory, Counters& counters, std::size_t capacity)
    : inventory_(inventory),
      queue_(capacity),
      stops_(counters.counter("startup.stops", "containers marked stopped")),
      store_errors_(counters.counter("startup.store_errors", "inventory writes that failed")),
      dropped_(counters.counter("startup.inventory_dropped", "inventory writes dropped: their queue was full")),
      thread_([this] {
        name_this_thread("cs-inventory");
        run();
      }) {}

InventoryWriter::~InventoryWriter() {
  queue_.close();
  thread_.join();
}

void InventoryWriter::record_start(const ContainerStart& start, std::int64_t judged_ms) noexcept { push(Start{start, judged_ms}); }

void InventoryWriter::record_stop(const std::string& id, std::int64_t stopped_ms) noexcept { push(Stop{id, stopped_ms}); }

void InventoryWriter::push(Write write) noexcept {
  try {
    if (!queue_.try_push(std::move(write))) dropped_.add();
  } catch (...) {
    dropped_.add();
  }
}

void InventoryWriter::run() {
  while (!queue_.finished())
    if (auto write = queue_.pop_for(std::chrono::seconds(1))) apply(*write);
}

void InventoryWriter::apply(const Write& write) noexcept {
  try {
    if (const auto* s = std::get_if<Start>(&write)) {
      inventory_.record_start(s->start, s->judged_ms);
    } else if (const auto* s = std::get_if<Stop>(&write)) {
      if (inventory_.record_stop(s->id, s->stopped_ms)) stops_.add();
    }
  } catch (const std::exception& e) {
    store_errors_.add();
    log_warn(std::string("container inventory: ") + e.what());
  } catch (...) {
    store_errors_.add();
  }
}

}  // namespace cshield
