#include "core/counters.h"

namespace cshield {

Counter& Counters::make(const std::string& name, const std::string& help, bool gauge) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end() && it->second.counter) return *it->second.counter;
  storage_.emplace_back();
  Entry e{help, gauge, &storage_.back(), {}};
  entries_[name] = e;
  return storage_.back();
}

Counter& Counters::counter(const std::string& name, const std::string& help) {
  return make(name, help, false);
}

Counter& Counters::gauge(const std::string& name, const std::string& help) {
  return make(name, help, true);
}

void Counters::gauge_fn(const std::string& name, const std::string& help,
                        std::function<std::uint64_t()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_[name] = Entry{help, true, nullptr, std::move(fn)};
}

std::vector<CounterSample> Counters::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CounterSample> out;
  out.reserve(entries_.size());
  for (const auto& [name, e] : entries_)
    out.push_back({name, e.help, e.gauge, e.counter ? e.counter->get() : (e.fn ? e.fn() : 0)});
  return out;
}

}  // namespace cshield
