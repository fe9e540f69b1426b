// The one way a container row is inserted or refreshed, shared by the alarm
// store (every alarm's container) and the inventory (container starts):
// non-empty names, image, runtime and bundle replace what was known, first
// and last seen widen to `seen_ms`. The caller holds the transaction.
#pragma once

#include <cstdint>

#include "core/container_info.h"
#include "store/sqlite_connection.h"

namespace cshield {

void upsert_container_row(SqliteConnection& conn, const ContainerInfo& c, std::int64_t seen_ms);

}  // namespace cshield
