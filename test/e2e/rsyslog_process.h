// A real rsyslogd (Debian's) for the export end-to-end tests: its own
// configuration, work directory and pid file in a temporary directory,
// listening on loopback UDP and TCP ports of its own (octet-counted framing
// is imtcp's default), writing every message it parses to one file as
//   "<facility> <severity> <app-name> <procid> <msgid> <msg>" a line.
// start() waits (with a deadline) until the TCP port accepts; stop() and
// the destructor stop it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {

class Rsyslogd {
 public:
  Rsyslogd();
  ~Rsyslogd();
  Rsyslogd(const Rsyslogd&) = delete;
  Rsyslogd& operator=(const Rsyslogd&) = delete;

  void start();
  void stop();
  int udp_port() const { return udp_port_; }
  int tcp_port() const { return tcp_port_; }
  // The lines written so far.
  std::vector<std::string> messages() const;
  std::string stderr_text() const;

 private:
  TempDir dir_;
  int udp_port_ = 0, tcp_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace e2e
