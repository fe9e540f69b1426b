// Writes each alarm into the kernel audit stream as a user record of type
// core/own_record_types.h (2199) with the text of export/audit_record_text.h,
// through libaudit's audit_log_user_message() on an audit netlink socket
// (needs CAP_AUDIT_WRITE). auditd logs it and its dispatcher forwards it to
// every plugin (audisp-remote, syslog). The kernel drops user records while
// audit is disabled (enabled 0) without an error: nothing cshieldd can see.
#pragma once

#include "export/export_channel.h"

namespace cshield {

class AuditChannel : public ExportChannel {
 public:
  AuditChannel() = default;
  ~AuditChannel() override;

  SendResult send(const Alarm& alarm, std::string& error) override;
  void reopen() override { close_socket(); }

 private:
  void close_socket();
  int fd_ = -1;
};

}  // namespace cshield
