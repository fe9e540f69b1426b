// The store writer's throughput: SqliteStore::write() of generated alarms in
// batches, as the writer thread calls it. For measuring what a write costs,
// e.g. with and without the count-keeping triggers of schema/006 (drop them
// on a copy of a database to compare).
//
//   store_write_bench DB ALARMS [BATCH]
// Writes ALARMS alarms (BATCH per transaction, default 64) into DB (created
// when missing, retention off): half repeats of 500 fold keys (folds once
// stored, last_seen moving across hours), half new keys (inserts), over 100
// containers and the 7 types, 10 ms apart from now on. Prints the rate.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "core/time_format.h"
#include "store/sqlite_store.h"

using namespace cshield;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: store_write_bench DB ALARMS [BATCH]\n";
    return 2;
  }
  const long long total = std::atoll(argv[2]);
  const long long batch_size = argc > 3 ? std::atoll(argv[3]) : 64;
  static const char* const kTypes[] = {"vulnerability_escape", "file_escape", "high_risk_syscall",
                                       "malicious_program", "abnormal_process", "sensitive_file_access",
                                       "abnormal_startup"};
  StoreOptions o;
  o.retention_days = 0;
  o.max_alarms = 0;
  SqliteStore store(argv[1], o);
  const long long before = store.alarm_count();
  const std::int64_t t0 = now_ms();
  const auto start = std::chrono::steady_clock::now();
  std::vector<Alarm> batch;
  for (long long i = 0; i < total; ++i) {
    Alarm a = make_alarm(kTypes[i % 7], "bench", "bench");
    a.first_seen_ms = a.last_seen_ms = t0 + i * 10;
    ContainerInfo c;
    c.id = "bench-write-" + std::to_string(i % 100);
    c.name = c.id;
    a.container = c;
    a.process.exe = "/usr/bin/w" + std::to_string(i % 2 ? i % 500 : 1000 + i);
    a.process.pid = static_cast<int>(i % 30000);
    a.description = "generated";
    batch.push_back(std::move(a));
    if (static_cast<long long>(batch.size()) == batch_size || i + 1 == total) {
      store.write(batch);
      batch.clear();
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long long rows = store.alarm_count() - before;
  std::cout << total << " alarms (" << rows << " new rows, " << total - rows << " folds) in " << s
            << " s: " << static_cast<long long>(total / s) << " alarms/s (" << before << " rows before)\n";
  return 0;
}
