// What the REST API serves from. The daemon owns everything referenced here
// and keeps it alive while an ApiServer runs. The repository and the
// functions are called from the HTTP server's threads concurrently, so they
// must be thread-safe. An empty function makes its endpoint answer 503.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "api/policy_service.h"
#include "core/change_signal.h"
#include "store/alarm_repository.h"

namespace cshield {

struct ApiContext {
  AlarmRepository& repo;
  std::function<Poco::JSON::Object::Ptr()> status;  // GET /api/v1/status
  std::function<bool()> healthy;                    // GET /healthz: is the pipeline running
  std::function<std::string()> metrics;             // GET /metrics: Prometheus text
  PolicyService* policy = nullptr;                  // /api/v1/policy-groups; nullptr: 503
  // Why the daemon runs degraded (the store refuses writes, ...); empty when
  // it does not. /healthz then answers 200 {"status":"degraded","reasons":[...]}.
  std::function<std::vector<std::string>()> degraded = {};
  // Notified after each batch of alarms the store committed (and after a
  // status change): what GET /api/v1/alarms?wait=N waits on. nullptr: a
  // request with wait answers 503.
  ChangeSignal* alarm_writes = nullptr;
};

}  // namespace cshield
