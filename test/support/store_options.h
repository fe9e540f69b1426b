// Store options for tests: no retention by age and no row limit, so that a
// test's alarms, however old their times, stay until the test deletes them.
#pragma once

#include "store/sqlite_store.h"

namespace cshield::testing {

inline StoreOptions no_limits() {
  StoreOptions o;
  o.retention_days = 0;
  o.max_alarms = 0;
  return o;
}

}  // namespace cshield::testing
