// A real auditd for end-to-end tests, with its configuration, log and
// plugins.d in a temporary directory: RAW log format, no disk actions.
// The constructor waits (with a deadline) until it has registered with the
// kernel; the destructor stops it and removes every audit rule.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "harness.h"

namespace e2e {

class Auditd {
 public:
  // `plugins`: file name → contents, written to plugins.d before start.
  explicit Auditd(const std::map<std::string, std::string>& plugins = {});
  ~Auditd();
  Auditd(const Auditd&) = delete;
  Auditd& operator=(const Auditd&) = delete;

  std::string log() const;
  std::string log_path() const { return dir_.path() + "/audit.log"; }
  const std::string& dir() const { return dir_.path(); }
  pid_t pid() const { return pid_; }
  // SIGTERM and wait; idempotent.
  void stop();

 private:
  TempDir dir_;
  pid_t pid_ = -1;
};

// The contents of an auditd plugin file that runs cshieldd with `config`
// in plugin mode (string format, always active).
std::string cshield_plugin_conf(const std::string& config);

}  // namespace e2e
