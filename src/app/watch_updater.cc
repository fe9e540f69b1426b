#include "app/watch_updater.h"

#include "app/log.h"
#include "core/thread_name.h"

namespace cshield {

WatchUpdater::WatchUpdater(Start start, Stop stop, Counters& counters, std::size_t capacity)
    : start_(std::move(start)),
      stop_(std::move(stop)),
      queue_(capacity),
      dropped_(counters.counter("watches.updates_dropped",
                                "container starts and stops not applied to the protected-file watches: their queue was full")),
      thread_([this] {
        name_this_thread("cs-watches");
        run();
      }) {}

WatchUpdater::~WatchUpdater() {
  queue_.close();
  thread_.join();
}

void WatchUpdater::started(const ContainerInfo& container) noexcept { push(container); }

void WatchUpdater::stopped(const std::string& container_id) noexcept { push(container_id); }

void WatchUpdater::push(Change change) noexcept {
  try {
    if (!queue_.try_push(std::move(change))) dropped_.add();
  } catch (...) {
    dropped_.add();  // out of memory copying the change
  }
}

void WatchUpdater::run() {
  while (!queue_.finished()) {
    auto change = queue_.pop_for(std::chrono::milliseconds(500));
    if (!change) continue;
    try {
      if (const auto* container = std::get_if<ContainerInfo>(&*change))
        start_(*container);
      else
        stop_(std::get<std::string>(*change));
    } catch (const std::exception& e) {
      log_warn(std::string("protected-file watches: ") + e.what());
    }
  }
}

}  // namespace cshield
