#include <boost/test/unit_test.hpp>

#include "app/inventory_writer.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

namespace cshield {
namespace {

ContainerStart start_of(const std::string& id, std::int64_t at) {
  ContainerStart s;
  s.container.id = id;
  s.container.runtime = "runc";
  s.started_ms = at;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inventory_writer)

BOOST_AUTO_TEST_CASE(writes_land_in_order_and_are_applied_before_the_writer_ends) {
  testing::TempDir dir;
  const std::string db_path = dir / "alarms.db";
  SqliteStore store(db_path, {});
  ContainerInventory inventory(db_path);
  Counters counters;
  {
    InventoryWriter writer(inventory, counters);
    for (int i = 0; i < 50; ++i) writer.record_start(start_of("c" + std::to_string(i), 1000 + i), 2000);
    writer.record_stop("c7", 3000);  // after its start: a stop
    writer.record_stop("nobody", 3000);
  }
  BOOST_TEST(inventory.running().size() == 49u);
  BOOST_TEST(inventory.judged("c49", 1049, 1049));
  BOOST_TEST(counters.counter("startup.stops", "").get() == 1u);
  BOOST_TEST(counters.counter("startup.inventory_dropped", "").get() == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_counts_instead_of_blocking) {
  testing::TempDir dir;
  const std::string db_path = dir / "alarms.db";
  SqliteStore store(db_path, {});
  ContainerInventory inventory(db_path);
  Counters counters;
  std::uint64_t dropped = 0;
  {
    // Hold the database's write lock so the writer's first write waits.
    SqliteConnection blocker(db_path, false);
    blocker.exec("BEGIN IMMEDIATE");
    InventoryWriter writer(inventory, counters, 4);
    for (int i = 0; i < 100; ++i) writer.record_start(start_of("c" + std::to_string(i), i), i);
    dropped = counters.counter("startup.inventory_dropped", "").get();
    blocker.exec("COMMIT");
  }
  BOOST_TEST(dropped >= 95u);
  BOOST_TEST(dropped <= 96u);
  BOOST_TEST(inventory.running().size() == 100u - dropped);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace cshield
