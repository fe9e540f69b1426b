// End-to-end test harness: the real cshieldd against the real kernel audit
// subsystem and real containers. Needs root. Everything started here is
// stopped by destructors, so a failing test leaves no daemon, container or
// audit rule behind.
#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace e2e {

struct CommandResult {
  int status = -1;  // exit code, or -1 when it did not exit normally
  std::string output;  // stdout and stderr together
};
// Runs `command` through /bin/sh.
CommandResult sh(const std::string& command);
std::string sh_quote(const std::string& s);

// Polls `check` until it returns true or `timeout` passes; returns the last result.
bool eventually(const std::function<bool()>& check, std::chrono::milliseconds timeout);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The kernel audit state the tests must leave as they found it.
struct AuditState {
  std::string enabled, pid, backlog_limit, backlog_wait_time;
  std::vector<std::string> rules;  // `auditctl -l` lines ("No rules" → empty)
  static AuditState read();
  std::vector<std::string> cshield_rules() const;
};

// Alarms as JSON text, one a line, for failure messages.
std::string alarms_text(const std::vector<Poco::JSON::Object::Ptr>& alarms);

// The daemon under test, in the foreground as a child process.
class Daemon {
 public:
  // `extra_config` is appended to a generated config (database, socket, no TCP).
  explicit Daemon(const std::string& mode, const std::string& extra_config = "");
  ~Daemon();
  // Starts and waits (with a deadline) until /healthz answers ok.
  void start();
  // SIGTERM and wait; returns the exit status.
  int stop();
  // SIGKILL and reap: a crash. start() may be called again (same config and database).
  void kill_hard();
  std::string database() const;
  bool running() const { return pid_ > 0; }
  int pid() const { return pid_; }

  // GET over the Unix socket; parsed JSON object (throws on transport errors).
  Poco::JSON::Object::Ptr get(const std::string& path) const;
  // Alarms matching a query string ("type=high_risk_syscall&subtype=ptrace").
  std::vector<Poco::JSON::Object::Ptr> alarms(const std::string& query) const;
  std::string log() const;
  const std::string& socket() const { return socket_; }
  const std::string& config_path() const { return config_; }
  // Sends `sig` to the running daemon.
  void signal(int sig) const;

 private:
  TempDir dir_;
  std::string mode_, extra_, socket_, config_, log_;
  int pid_ = -1;
};

// A static test program compiled by the build (escape_helper.c).
std::string helper_binary();
std::string cshieldd_binary();

// A busybox-static root filesystem with the helper at /helper, an own
// /etc/shadow, and a control FIFO at /ctl/fifo through which the container's
// init runs the helper on request.
void build_rootfs(const std::string& dir);

// A runc container whose init loops: read a line from /ctl/fifo, run
// `/helper <line>` as its child. /ctl is a host directory bind-mounted in.
class RuncContainer {
 public:
  // `mounts`: extra bind mounts host→container (read-only). `edit_spec`, when
  // given, changes the generated config.json before the container starts
  // (annotations, linux.cgroupsPath, ...).
  explicit RuncContainer(const std::string& id,
                         const std::vector<std::pair<std::string, std::string>>& mounts = {},
                         const std::function<void(Poco::JSON::Object::Ptr)>& edit_spec = {});
  ~RuncContainer();
  const std::string& id() const { return id_; }
  int init_pid() const;
  // Asks the container's init to run the helper with `args`; returns the
  // helper's pid once it has logged completion (throws on timeout).
  int run_helper(const std::string& args, std::chrono::seconds deadline = std::chrono::seconds(10));
  CommandResult exec(const std::string& command_line);

 private:
  TempDir dir_;
  std::string id_;
  std::size_t log_lines_ = 0;
};

// The same control loop in a Docker container (image imported from the
// busybox rootfs; no registry).
class DockerContainer {
 public:
  DockerContainer(const std::string& name, const std::string& extra_run_args);
  ~DockerContainer();
  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  int run_helper(const std::string& args, std::chrono::seconds deadline = std::chrono::seconds(10));
  static std::string image();

 private:
  TempDir dir_;
  std::string name_, id_;
  std::size_t log_lines_ = 0;
};

// Writes `args` to ctl_dir/fifo and waits until ctl_dir/log has a new line;
// returns that line's pid. `seen_lines` tracks lines already consumed.
int drive_helper(const std::string& ctl_dir, const std::string& args, std::size_t& seen_lines,
                 std::chrono::seconds deadline);

}  // namespace e2e
