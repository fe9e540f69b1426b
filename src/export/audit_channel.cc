#include "export/audit_channel.h"

#include <libaudit.h>

#include <cerrno>
#include <cstring>

#include "core/own_record_types.h"
#include "export/audit_record_text.h"

namespace cshield {

AuditChannel::~AuditChannel() { close_socket(); }

void AuditChannel::close_socket() {
  if (fd_ >= 0) audit_close(fd_);
  fd_ = -1;
}

SendResult AuditChannel::send(const Alarm& alarm, std::string& error) {
  const std::string text = audit_record_text(alarm);
  if (text.size() >= MAX_AUDIT_MESSAGE_LENGTH - 200) {  // room for what libaudit appends
    error = "a " + std::to_string(text.size()) + "-byte record exceeds the audit message limit";
    return SendResult::rejected;
  }
  if (fd_ < 0) {
    fd_ = audit_open();
    if (fd_ < 0) {
      error = std::string("audit_open: ") + std::strerror(errno);
      return SendResult::failed;
    }
  }
  // result 1: res=success (the alarm was raised); no hostname, addr or tty.
  if (audit_log_user_message(fd_, kAlarmAuditRecordType, text.c_str(), nullptr, nullptr, nullptr, 1) <= 0) {
    error = std::string("audit_log_user_message: ") + std::strerror(errno);
    close_socket();
    return SendResult::failed;
  }
  return SendResult::delivered;
}

}  // namespace cshield
