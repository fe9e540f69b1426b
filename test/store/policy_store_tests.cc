// Policy groups in the store: definitions, source and learning state kept
// across connections, file groups replaced together, learned executables,
// and each container's group as the repository shows it.
#define BOOST_TEST_MODULE policy_store
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>

#include "store/container_inventory.h"
#include "store/policy_store.h"
#include "store/sqlite_store.h"

namespace cshield {
namespace {

struct TempDb {
  TempDb() {
    char tmpl[] = "/tmp/cshield-policy-store-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/alarms.db";
    SqliteStore created(path, StoreOptions{});  // creates and migrates
  }
  ~TempDb() { std::system(("rm -rf " + dir).c_str()); }
  std::string dir, path;
};

PolicyGroup group(const std::string& name, const std::string& source) {
  PolicyGroup g;
  g.name = name;
  g.source = source;
  g.selectors.names = {name + "-*"};
  g.selectors.labels = {{"app", name}};
  g.process_whitelist = {"/bin/sh"};
  g.protected_files = {"/etc/passwd"};
  return g;
}

}  // namespace

BOOST_AUTO_TEST_CASE(groups_persist_with_source_and_learning_state) {
  TempDb db;
  {
    PolicyStore s(db.path);
    PolicyGroup api = group("api", "api");
    api.learning_until_ms = 1764175801000;
    s.put(api, 1);
    s.replace_file_groups({group("f1", "/etc/cshield/policy.d/f1.json"), group("f2", "/etc/cshield/policy.d/f2.json")}, 2);
  }
  PolicyStore s(db.path);
  auto all = s.load();
  BOOST_REQUIRE_EQUAL(all.size(), 3u);
  BOOST_TEST(all[0].name == "api");
  BOOST_TEST(*all[0].learning_until_ms == 1764175801000);
  BOOST_TEST(all[0].selectors.labels.at("app") == "api");
  BOOST_TEST(all[1].source == "/etc/cshield/policy.d/f1.json");
  BOOST_TEST(!all[1].learning_until_ms);

  // A reload of the files replaces only file groups; a group's learning carries over.
  PolicyGroup f2 = group("f2", "/etc/cshield/policy.d/f2.json");
  f2.learning_until_ms = 5;
  s.put(f2, 3);
  s.replace_file_groups({group("f2", "/etc/cshield/policy.d/f2.json")}, 4);
  all = s.load();
  BOOST_REQUIRE_EQUAL(all.size(), 2u);
  BOOST_TEST(all[1].name == "f2");
  BOOST_TEST(all[1].learning_until_ms.value_or(0) == 5);
  BOOST_TEST(s.remove("api"));
  BOOST_TEST(!s.remove("api"));
}

BOOST_AUTO_TEST_CASE(learned_executables_count_and_clear) {
  TempDb db;
  PolicyStore s(db.path);
  s.add_learned("web", "/bin/ls", 10);
  s.add_learned("web", "/bin/ls", 30);
  s.add_learned("web", "/bin/cat", 20);
  s.add_learned("db", "/bin/ls", 20);
  auto l = s.learned("web");
  BOOST_REQUIRE_EQUAL(l.size(), 2u);
  BOOST_TEST(l[1].path == "/bin/ls");
  BOOST_TEST(l[1].count == 2);
  BOOST_TEST(l[1].first_seen_ms == 10);
  BOOST_TEST(l[1].last_seen_ms == 30);
  s.clear_learned("web");
  BOOST_TEST(s.learned("web").empty());
  BOOST_TEST(s.learned("db").size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_inventory_shows_each_containers_group) {
  TempDb db;
  ContainerInventory inventory(db.path);
  ContainerStart start;
  start.container.id = std::string(64, 'a');
  start.container.runtime = "runc";
  start.container.name = "web-1";
  start.started_ms = 100;
  PolicyStore s(db.path);
  s.set_container_group(start.container.id, "early");  // before the inventory's row: kept
  inventory.record_start(start, 100);
  SqliteStore early(db.path, StoreOptions{});
  BOOST_TEST(early.container("web-1")->policy_group.value_or("") == "early");
  s.set_container_group(start.container.id, "");
  SqliteStore repo(db.path, StoreOptions{});
  BOOST_TEST(!repo.container("web-1")->policy_group);
  s.set_container_group(start.container.id, "web");
  BOOST_TEST(repo.container("web-1")->policy_group.value_or("") == "web");
  BOOST_TEST(repo.containers().at(0).policy_group.value_or("") == "web");
  s.set_container_group(start.container.id, "");
  BOOST_TEST(!repo.container("web-1")->policy_group);
}

}  // namespace cshield
