// Reads the kernel's audit records from the read-only multicast group
// (AUDIT_NLGRP_READLOG) beside whichever audit daemon is registered, e.g.
// auditd. Needs CAP_AUDIT_READ. Best effort: the kernel drops records for a
// reader that falls behind (counted as source.overruns). The kernel
// multicasts whether or not an audit daemon is registered.
// Thread-safety: as RecordSource; start() before the reader thread runs.
#pragma once

#include <string>
#include <string_view>

#include "core/counters.h"
#include "rules/audit_control.h"
#include "source/netlink_receiver.h"
#include "source/record_source.h"

namespace cshield {

struct MulticastSourceOptions {
  int receive_buffer_bytes = 8 * 1024 * 1024;
  Counters* counters = nullptr;  // optional, must outlive the source
};

class MulticastSource : public RecordSource {
 public:
  explicit MulticastSource(MulticastSourceOptions options = {});
  ~MulticastSource() override;

  Result start();
  bool read(std::string& out) override;
  void stop() override;
  bool skips_own_records() const override { return true; }
  std::string_view mode() const override { return "multicast"; }

 private:
  MulticastSourceOptions options_;
  NetlinkReceiver receiver_;
};

}  // namespace cshield
