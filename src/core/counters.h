// Named monotonic counters and gauges shared by every thread, read by
// /api/v1/status and /metrics. Registration happens while wiring (before the
// threads start); after that, add/set/snapshot are lock-free or short-locked
// and thread-safe. A Counter reference stays valid for the Counters' lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace cshield {

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

struct CounterSample {
  std::string name;  // dotted: "source.records", "queue.records.dropped"
  std::string help;
  bool gauge = false;
  std::uint64_t value = 0;
};

class Counters {
 public:
  // Returns the counter of that name, creating it on first use.
  Counter& counter(const std::string& name, const std::string& help);
  Counter& gauge(const std::string& name, const std::string& help);
  // A gauge computed at read time (queue depths).
  void gauge_fn(const std::string& name, const std::string& help, std::function<std::uint64_t()> fn);

  std::vector<CounterSample> snapshot() const;

 private:
  struct Entry {
    std::string help;
    bool gauge = false;
    Counter* counter = nullptr;
    std::function<std::uint64_t()> fn;
  };
  Counter& make(const std::string& name, const std::string& help, bool gauge);
  mutable std::mutex mu_;
  std::deque<Counter> storage_;
  std::map<std::string, Entry> entries_;
};

}  // namespace cshield
