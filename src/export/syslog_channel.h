// Sends each alarm as one RFC 5424 message (export/syslog_message.h) to a
// syslog receiver: over UDP one datagram per alarm, over TCP octet-counted
// (RFC 6587) on a connection kept open and reopened after a failure.
// Payload: CEF (export/cef_format.h) or the alarm's JSON. MSGID is the alarm
// type, APP-NAME "cshieldd", PROCID cshieldd's pid.
// Delivery over UDP is best effort: a receiver that is down is noticed only
// through the ICMP error of an earlier datagram, so the first alarm sent
// after it went away is lost unnoticed; later ones fail and are retried.
// Over TCP a connection the receiver closed is noticed before sending.
// A message longer than 65000 bytes is rejected over UDP (one datagram).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "export/export_channel.h"

namespace cshield {

struct SyslogTarget {
  bool tcp = false;
  std::string host;
  std::string port;
};

// Parses "udp://host:port" or "tcp://host:port" ([v6] hosts allowed);
// nullopt with `error` set otherwise.
std::optional<SyslogTarget> parse_syslog_target(const std::string& url, std::string& error);

class SyslogChannel : public ExportChannel {
 public:
  enum class Format { cef, json };
  SyslogChannel(SyslogTarget target, Format format, std::string product_version);
  ~SyslogChannel() override;

  SendResult send(const Alarm& alarm, std::string& error) override;
  void reopen() override { close_socket(); }

 private:
  bool open_socket(std::string& error);
  void close_socket();
  // True when the TCP peer has closed or reset the connection.
  bool peer_gone() const;

  SyslogTarget target_;
  Format format_;
  std::string version_, hostname_, procid_;
  int fd_ = -1;
};

}  // namespace cshield
