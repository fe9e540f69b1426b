// AuditControl over a libaudit netlink socket of its own (never the reader's
// socket, so control replies and audit records do not mix). Needs
// CAP_AUDIT_CONTROL. The socket is opened on first use and closed by the
// destructor. Not thread-safe; libaudit's rule builders also keep
// process-global state, so one LibauditControl per process should build rules
// at a time. Silences libaudit's own stderr messages (a process-wide libaudit
// setting): errors come back as Result texts instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rules/audit_control.h"

struct audit_reply;

namespace cshield {

class LibauditControl : public AuditControl {
 public:
  LibauditControl();
  ~LibauditControl() override;
  LibauditControl(const LibauditControl&) = delete;
  LibauditControl& operator=(const LibauditControl&) = delete;

  Result status(AuditStatus& out) override;
  Result set_enabled(std::uint32_t enabled) override;
  Result set_backlog_limit(std::uint32_t limit) override;
  Result set_backlog_wait_time(std::uint32_t wait_time) override;
  Result write_backlog_wake_record() override;
  Result list_rules(std::vector<AuditRule>& out) override;
  Result add_rule(const AuditRule& rule) override;
  Result delete_rule(const AuditRule& rule) override;
  Result delete_rules_with_key_prefix(const std::string& prefix,
                                      std::size_t* deleted = nullptr) override;

 private:
  // Calls `on_reply` for each reply until it returns true (done), an error
  // ack arrives, or no reply comes within the timeout.
  Result await_replies(const std::string& what, const std::function<bool(const audit_reply&)>& on_reply);
  // The listed rules as raw kernel payloads (for exact deletion).
  Result list_raw_rules(std::vector<std::vector<char>>& out);
  Result ensure_open();
  void drain_stale_replies();

  int fd_ = -1;
  std::chrono::milliseconds reply_timeout_{5000};
};

}  // namespace cshield
