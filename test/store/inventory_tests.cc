// The container inventory: starts with posture, the judged markers, stops,
// and what the repository then shows.
#define BOOST_TEST_MODULE inventory
#include <boost/test/unit_test.hpp>

#include "store/container_inventory.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

namespace cshield {
namespace {

ContainerStart start_of(const std::string& id, std::int64_t at) {
  ContainerStart s;
  s.container.id = id;
  s.container.runtime = "runc";
  s.container.name = id;
  s.posture.capabilities = {"CAP_KILL", "CAP_SYS_ADMIN"};
  s.posture.host_mounts = {{"/etc", "/hostetc"}};
  s.started_ms = at;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(starts_judgements_and_stops) {
  testing::TempDir dir;
  const std::string db_path = dir / "alarms.db";
  SqliteStore store(db_path, {});
  ContainerInventory inv(db_path);
  inv.record_start(start_of("web", 1000), 1001);
  BOOST_TEST(inv.judged("web", 900, 1100));
  BOOST_TEST(!inv.judged("web", 1001, 2000));
  BOOST_TEST(!inv.judged("db", 0, 5000));
  BOOST_TEST(inv.running() == std::vector<std::string>{"web"}, boost::test_tools::per_element());

  auto c = store.container("web");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->started_ms.value_or(0) == 1000);
  BOOST_TEST(!c->stopped_ms);
  BOOST_TEST(c->posture_json.value_or("") ==
             R"({"privileged":false,"capabilities":["CAP_KILL","CAP_SYS_ADMIN"],"seccomp":false,"masked_paths":false,)"
             R"("devices_unrestricted":false,"no_new_privileges":false,"user_namespace":false,)"
             R"("host_mounts":[{"source":"/etc","destination":"/hostetc"}]})");

  BOOST_TEST(inv.record_stop("web", 5000));
  BOOST_TEST(!inv.record_stop("web", 6000));  // already stopped
  BOOST_TEST(!inv.record_stop("nope", 6000));
  BOOST_TEST(store.container("web")->stopped_ms.value_or(0) == 5000);
  BOOST_TEST(inv.running().empty());

  // A new start runs again, and both starts stay judged.
  inv.record_start(start_of("web", 9000), 9001);
  BOOST_TEST(!store.container("web")->stopped_ms);
  BOOST_TEST(store.container("web")->started_ms.value_or(0) == 9000);
  BOOST_TEST(inv.judged("web", 900, 1100));
  BOOST_TEST(inv.judged("web", 8000, 9500));
}

}  // namespace cshield
