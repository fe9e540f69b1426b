#define BOOST_TEST_MODULE e2e_load
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "api/api_client.h"
#include "harness.h"

using namespace e2e;

namespace {

// VmRSS or VmHWM of a process, in KiB.
long memory_kib(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  return -1;
}

std::uint64_t counter(const Daemon& d, const std::string& name) {
  return d.get("/api/v1/status")->getObject("counters")->getValue<std::uint64_t>(name);
}

}  // namespace

// 200 API clients for CSHIELD_LOAD_SECONDS (default 60) while a container
// storms the kernel with audited calls: no error response, no transport
// error, no lost alarm (every ptrace call is counted in its alarm), and the
// daemon's memory stays bounded. The figures go to the test log.
BOOST_AUTO_TEST_CASE(two_hundred_api_clients_during_a_storm_get_no_errors_and_nothing_is_lost) {
  BOOST_REQUIRE(AuditState::read().pid == "0");
  const int seconds = std::getenv("CSHIELD_LOAD_SECONDS") ? std::atoi(std::getenv("CSHIELD_LOAD_SECONDS")) : 60;
  constexpr int kClients = 200;
  constexpr int kStormCalls = 5000;
  Daemon daemon("netlink");
  daemon.start();
  const int pid = daemon.get("/api/v1/status")->getObject("kernel")->getValue<int>("pid");
  RuncContainer ctr("cshield-e2e-load-" + std::to_string(::getpid()));
  ctr.run_helper("ptrace");  // the first alarm, before the load
  BOOST_REQUIRE(eventually([&] { return !daemon.alarms("subtype=ptrace").empty(); }, std::chrono::seconds(5)));
  const long rss_before = memory_kib(pid, "VmRSS");

  const std::vector<std::string> targets = {"/api/v1/alarms?limit=50", "/api/v1/status", "/healthz", "/metrics",
                                            "/api/v1/alarms/summary", "/api/v1/containers",
                                            "/api/v1/alarms?subtype=ptrace&limit=5"};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> requests{0};
  std::mutex mu;
  std::map<std::string, int> failures;  // what went wrong → how often
  std::vector<long> worst_ms(kClients, 0);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      const auto client = cshield::ApiClient::over_unix_socket(daemon.socket());
      for (std::size_t i = static_cast<std::size_t>(c); !stop; ++i) {
        const auto& target = targets[i % targets.size()];
        const auto t0 = std::chrono::steady_clock::now();
        const auto reply = client.call("GET", target);
        const long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - t0).count());
        worst_ms[static_cast<std::size_t>(c)] = std::max(worst_ms[static_cast<std::size_t>(c)], ms);
        ++requests;
        if (!reply.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          ++failures[target + ": " + reply.error_message()];
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a client's pace, not a busy loop
      }
    });
  }
  // The storm, over and over, while the clients run.
  std::uint64_t storm_calls = 1;  // the ptrace above
  long rss_peak = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::string storm_error;
  long slowest_run_ms = 0;
  try {
    while (std::chrono::steady_clock::now() < end) {
      // The kernel's backlog wait slows the storm when cshieldd falls
      // behind (that is throttling, not loss): a run may take a while. Its
      // time is reported; what is asserted is that nothing is lost.
      const auto t0 = std::chrono::steady_clock::now();
      ctr.run_helper("ptrace_storm:" + std::to_string(kStormCalls), std::chrono::seconds(60));
      slowest_run_ms = std::max<long>(slowest_run_ms, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                          std::chrono::steady_clock::now() - t0).count()));
      storm_calls += kStormCalls;
      rss_peak = std::max(rss_peak, memory_kib(pid, "VmRSS"));
    }
  } catch (const std::exception& e) {
    storm_error = e.what();
  }
  stop = true;
  for (auto& t : clients) t.join();
  BOOST_REQUIRE_MESSAGE(storm_error.empty(), storm_error);
  const long worst = *std::max_element(worst_ms.begin(), worst_ms.end());

  // Every ptrace call of the storm is in the folded alarm's count.
  std::int64_t counted = 0;
  BOOST_TEST(eventually([&] {
    counted = 0;
    for (const auto& a : daemon.alarms("subtype=ptrace&container=" + ctr.id())) counted += a->getValue<std::int64_t>("count");
    return counted >= static_cast<std::int64_t>(storm_calls);
  }, std::chrono::seconds(20)));
  const long rss_after = memory_kib(pid, "VmRSS");
  const long hwm = memory_kib(pid, "VmHWM");
  BOOST_TEST_MESSAGE("load: " << kClients << " clients, " << seconds << " s, " << requests << " requests ("
                              << requests / static_cast<std::uint64_t>(std::max(1, seconds)) << "/s), worst "
                              << worst << " ms; storm " << storm_calls << " ptrace calls (slowest run of "
                              << kStormCalls << ": " << slowest_run_ms << " ms), " << counted
                              << " counted; RSS " << rss_before << " -> peak " << rss_peak << " -> " << rss_after
                              << " KiB, high water " << hwm << " KiB");
  for (const auto& [what, n] : failures) BOOST_TEST_MESSAGE("failure x" << n << ": " << what);
  BOOST_TEST(failures.empty());
  // At least every call: a PTRACE_SEIZE that succeeds is followed by a
  // PTRACE_DETACH, one more audited ptrace call.
  BOOST_TEST(counted >= static_cast<std::int64_t>(storm_calls));
  if (counted < static_cast<std::int64_t>(storm_calls)) {
    const std::string log = daemon.log();
    BOOST_TEST_MESSAGE("cshieldd's log (end):\n" << log.substr(log.size() > 4000 ? log.size() - 4000 : 0));
    std::ostringstream status;
    daemon.get("/api/v1/status")->stringify(status);
    BOOST_TEST_MESSAGE("status: " << status.str());
  }
  for (const char* c : {"kernel.lost_while_running", "queue.records.dropped", "queue.alarms.dropped"})
    BOOST_TEST(counter(daemon, c) == 0u, c);
  // The storm's repeats fold on the pipeline's thread; what crosses to the
  // store writer is their sums, ten times a second, not one alarm per call.
  BOOST_TEST(counter(daemon, "pipeline.folded") > counter(daemon, "store.coalesced"));
  BOOST_TEST(counter(daemon, "pipeline.folded") * 2 > static_cast<std::uint64_t>(storm_calls));
  // Reported, not asserted: the unicast socket has signalled ENOBUFS a few
  // times in 60 s runs while every ptrace call was still counted (see
  // docs/reliability.md).
  BOOST_TEST_MESSAGE("source.overruns " << counter(daemon, "source.overruns") << ", audit.backlog_wakes "
                                        << counter(daemon, "audit.backlog_wakes"));
  BOOST_TEST(hwm < 256 * 1024);  // bounded: well under 256 MiB
  BOOST_TEST(daemon.stop() == 0);
}
