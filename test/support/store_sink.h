// An alarm sink that writes each alarm it is given on its own, as a store
// writer with a batch of one: the reference against which folding paths
// (RepeatFolder, the pipeline's detail-less repeats) are compared.
#pragma once

#include "alarm/alarm_sink.h"
#include "store/sqlite_store.h"

namespace cshield::testing {

class StoreSink : public AlarmSink {
 public:
  explicit StoreSink(SqliteStore& store) : store_(store) {}
  void publish(const Alarm& a) override { store_.write({a}); }

 private:
  SqliteStore& store_;
};

}  // namespace cshield::testing
