// What handing an alarm to the daemon's sinks costs the pipeline thread:
// the node stamp, the fan-out and the store writer's queue, as cshieldd
// wires them, with publish() (each copies) and publish_owned() (each moves,
// what the pipeline uses). The store is a stub: its writer thread only
// drains. For one alarm as a storm raises them (a container with labels,
// a 450-byte description).
//
//   alarm_publish_bench [ALARMS]
// Publishes ALARMS alarms (default 200000) each way, 5 rounds, and prints the
// fewest nanoseconds of the pipeline thread's CPU time per alarm, less the
// cost of building the alarm (measured the same way).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alarm/fan_out_sink.h"
#include "alarm/host_stamp_sink.h"
#include "alarm/store_writer.h"

using namespace cshield;

namespace {

class StubWriter : public AlarmWriter {
 public:
  std::vector<std::int64_t> write(const std::vector<Alarm>& alarms) override {
    return std::vector<std::int64_t>(alarms.size(), 1);
  }
  void upsert_container(const ContainerInfo&, std::int64_t) override {}
  std::int64_t apply_retention(std::int64_t) override { return 0; }
};

double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

Alarm storm_alarm() {
  Alarm a = make_alarm("high_risk_syscall", "ptrace", "ptrace");
  a.syscall = "ptrace";
  a.evidence_json = R"({"syscall":"ptrace","arch":"x86_64","args":["0x10","0x1","0x0","0x0"],"exit":-1,)"
                    R"("success":false,"blocked":false})";
  a.description = std::string(450, 'd');
  ContainerInfo c;
  c.id = std::string(64, 'a');
  c.runtime = "docker";
  c.name = "shop-web-1";
  c.image = "nginx:1.25";
  c.labels = {{"com.docker.compose.project", "shop"}, {"com.docker.compose.service", "web"}};
  a.container = c;
  a.process.pid = 4242;
  a.process.exe = "/usr/local/bin/loadgen";
  a.process.comm = "loadgen";
  a.process.cmdline = "/usr/local/bin/loadgen load 25000 10";
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 200000;
  if (n <= 0) {
    std::fprintf(stderr, "usage: alarm_publish_bench [ALARMS]\n");
    return 2;
  }
  StubWriter stub;
  Counters counters;
  StoreWriterOptions options;
  options.queue_capacity = static_cast<std::size_t>(n) + 1;
  StoreWriter writer(stub, counters, options);
  writer.start();
  FanOutSink sinks;
  sinks.add(writer);
  HostStampSink stamp("node-1", sinks);
  const Alarm proto = storm_alarm();

  enum Way { kBuildOnly, kPublish, kPublishOwned };
  auto round = [&](Way way) {
    const double t0 = thread_cpu_s();
    std::size_t sum = 0;
    for (long i = 0; i < n; ++i) {
      Alarm a = proto;  // as the detectors raise it
      if (way == kPublish) stamp.publish(a);
      else if (way == kPublishOwned) stamp.publish_owned(std::move(a));
      else sum += a.description.size();
    }
    const double spent = thread_cpu_s() - t0;
    while (writer.held() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (sum == 1) std::puts("");  // keeps the build-only loop
    return spent / static_cast<double>(n) * 1e9;
  };
  double best[3] = {1e18, 1e18, 1e18};
  for (int r = 0; r < 5; ++r)
    for (Way way : {kBuildOnly, kPublish, kPublishOwned}) best[way] = std::min(best[way], round(way));
  writer.stop();
  std::printf("alarms per round %ld, fewest of 5 rounds, pipeline thread CPU ns per alarm beyond building it\n", n);
  std::printf("publish()        %8.0f\n", best[kPublish] - best[kBuildOnly]);
  std::printf("publish_owned()  %8.0f\n", best[kPublishOwned] - best[kBuildOnly]);
  return 0;
}
