// A cshield database with damaged pages: refused at open with the file and
// the damage named, and never changed; a file too large to check at open is
// checked in the background and then refuses writes.
#define BOOST_TEST_MODULE store_integrity
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "store/sqlite_store.h"
#include "support/damaged_database.h"
#include "support/temp_dir.h"

using namespace cshield;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Alarm one_more() {
  Alarm a = make_alarm("high_risk_syscall", "mount", "mount");
  a.first_seen_ms = a.last_seen_ms = 1764175801000;
  return a;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_damaged_page_in_the_alarm_table_is_refused_at_open_and_the_file_is_unchanged) {
  testing::TempDir tmp("cshield-integrity");
  const std::string path = tmp / "alarms.db";
  const std::int64_t page = testing::make_damaged_database(path, 3000);
  BOOST_TEST_MESSAGE("damaged page " << page);
  const std::string before = read_bytes(path);
  for (bool read_only : {false, true}) {
    StoreOptions options;
    options.read_only = read_only;
    try {
      SqliteStore store(path, options);
      BOOST_FAIL("a damaged database was opened");
    } catch (const StoreError& e) {
      const std::string what = e.what();
      BOOST_TEST_MESSAGE(what);
      BOOST_TEST(what.find(path + ": the alarm database is damaged") == 0u, what);
      BOOST_TEST(what.find("quick_check: Page " + std::to_string(page) + ": ") != std::string::npos, what);
      BOOST_TEST(what.find("restore it from a backup") != std::string::npos, what);
    }
    BOOST_TEST((read_bytes(path) == before));
  }
  // A WAL database gets its (empty) -wal file from any reader; nothing is written to it.
  BOOST_TEST((!fs::exists(path + "-wal") || fs::file_size(path + "-wal") == 0));
  BOOST_TEST(!fs::exists(path + "-journal"));
}

// The same damage in a file above check_at_open_bytes: it opens (the daemon
// starts in time), the background check finds the damage, and from then on
// every write is refused with the same sentence; the file is not changed.
BOOST_AUTO_TEST_CASE(a_large_damaged_file_is_found_in_the_background_and_then_refuses_writes) {
  testing::TempDir tmp("cshield-integrity");
  const std::string path = tmp / "alarms.db";
  testing::make_damaged_database(path, 3000);
  const std::string before = read_bytes(path);
  {
    StoreOptions options;
    options.check_at_open_bytes = 0;  // every file is "large"
    SqliteStore store(path, options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (store.integrity_check_running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a flag with a deadline
    BOOST_REQUIRE(!store.integrity_check_running());
    BOOST_CHECK_EXCEPTION(store.write({one_more()}), StoreError, [&](const StoreError& e) {
      const std::string what = e.what();
      return what.find(path + ": the alarm database is damaged") == 0;
    });
    BOOST_CHECK_THROW(store.upsert_container(ContainerInfo{}, 1), StoreError);
    BOOST_CHECK_THROW(store.update_status(1, "handled", std::nullopt), StoreError);
  }
  BOOST_TEST((read_bytes(path) == before));
}

BOOST_AUTO_TEST_CASE(a_sound_file_passes_both_checks) {
  testing::TempDir tmp("cshield-integrity");
  const std::string path = tmp / "alarms.db";
  { SqliteStore store(path, {}); }
  for (std::int64_t limit : {std::int64_t{32} << 20, std::int64_t{0}}) {
    StoreOptions options;
    options.check_at_open_bytes = limit;
    SqliteStore store(path, options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (store.integrity_check_running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    BOOST_TEST(!store.integrity_check_running());
    BOOST_TEST(store.write({one_more()}).size() == 1u);
  }
}
