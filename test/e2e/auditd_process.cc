#include "auditd_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace e2e {

Auditd::Auditd(const std::map<std::string, std::string>& plugins) {
  std::ofstream(dir_.path() + "/auditd.conf")
      << "log_file = " << dir_.path() << "/audit.log\nlog_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 1\n"
      << "max_log_file = 100\nmax_log_file_action = IGNORE\nspace_left = 2\nadmin_space_left = 1\n"
      << "space_left_action = IGNORE\nadmin_space_left_action = IGNORE\ndisk_full_action = IGNORE\n"
      << "disk_error_action = IGNORE\nplugin_dir = " << dir_.path() << "/plugins.d\nq_depth = 2000\n";
  sh("mkdir -p " + sh_quote(dir_.path() + "/plugins.d"));
  for (const auto& [name, text] : plugins) {
    const std::string path = dir_.path() + "/plugins.d/" + name;
    std::ofstream(path) << text;
    sh("chmod 0640 " + sh_quote(path));
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    const std::string dir = dir_.path();
    ::execlp("auditd", "auditd", "-c", dir.c_str(), "-n", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (!eventually([] { return AuditState::read().pid != "0"; }, std::chrono::seconds(10))) {
    stop();
    throw std::runtime_error("auditd did not register");
  }
}

Auditd::~Auditd() {
  stop();
  sh("auditctl -D");
}

void Auditd::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string Auditd::log() const {
  std::ifstream in(log_path());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string cshield_plugin_conf(const std::string& config) {
  return "active = yes\ndirection = out\npath = " + cshieldd_binary() + "\ntype = always\nargs = --config " + config +
         "\nformat = string\n";
}

}  // namespace e2e
