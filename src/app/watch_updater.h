// Hands container starts and stops to the protected-file watches on a thread
// of its own ("cs-watches"). Placing or removing a watch is an audit netlink
// request, and while the kernel's backlog is full the kernel holds every
// such sender for up to backlog_wait_time (60 s by default) to penalize it.
// On the pipeline thread that wait would stop the very reading that drains
// the backlog, so neither would end until the timeout. started() and
// stopped() only enqueue, in order, into a bounded queue; a full queue drops
// the change and counts it (watches.updates_dropped). The destructor applies
// what is queued, then stops.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <variant>

#include "core/bounded_queue.h"
#include "core/container_info.h"
#include "core/counters.h"

namespace cshield {

class WatchUpdater {
 public:
  using Start = std::function<void(const ContainerInfo&)>;
  using Stop = std::function<void(const std::string& container_id)>;

  WatchUpdater(Start start, Stop stop, Counters& counters, std::size_t capacity = 4096);
  ~WatchUpdater();
  WatchUpdater(const WatchUpdater&) = delete;
  WatchUpdater& operator=(const WatchUpdater&) = delete;

  void started(const ContainerInfo& container) noexcept;
  void stopped(const std::string& container_id) noexcept;

 private:
  using Change = std::variant<ContainerInfo, std::string>;  // a start, or the id of a stop
  void push(Change change) noexcept;
  void run();

  Start start_;
  Stop stop_;
  BoundedQueue<Change> queue_;
  Counter& dropped_;
  std::thread thread_;
};

}  // namespace cshield
