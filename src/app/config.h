// cshieldd's configuration (API.md "Configuration"): every key optional,
// defaults for a packaged install. load_config() validates the whole file
// and reports every problem with file and line; a Config is only returned
// when there is none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "detect/abnormal_startup.h"
#include "detect/file_escape.h"

namespace cshield {

struct Config {
  std::string path;  // the file it was read from; empty for defaults

  struct Node {
    // The name every alarm carries (Alarm::host); empty: the environment's
    // CSHIELD_NODE_NAME (the DaemonSet sets it from spec.nodeName), else
    // the host name. See node_name().
    std::string name;
    // The node's root filesystem in cshieldd's mount namespace: "/" on the
    // node itself, where a pod mounts the node's "/" (/host) in Kubernetes.
    // Audit rules on node files are placed under it (rules/rule_root.h) and
    // the runtime binaries and sockets are looked up under it; alarms keep
    // the node's paths. An existing directory, without trailing slashes.
    std::string root = "/";
  } node;

  struct Audit {
    std::string mode = "auto";  // auto | netlink | multicast | plugin
    std::uint32_t backlog_limit = 8192;
    std::uint32_t backlog_wait_time = 60000;  // kernel ticks the kernel waits on a full backlog
    // How long the reader waits after working a light stream's records before
    // it reads again, so that one wake-up takes the records of several events
    // (0: reads at once). Trades alarm latency, and the /proc view of
    // processes that exit within it, for CPU at low event rates: at 1000
    // events a second, 10 ms take cshieldd's CPU from 1.5-2 times auditd's
    // to about auditd's (docs/performance.md).
    std::uint32_t read_delay_ms = 10;
  } audit;

  struct Storage {
    std::string database = "/var/lib/cshield/alarms.db";
    int retention_days = 90;
    std::int64_t max_alarms = 1000000;
    std::int64_t fold_window_seconds = 600;
  } storage;

  struct Api {
    std::string socket = "/run/cshield/api.sock";
    std::string socket_group;  // group that may use the socket (0660); empty: root's group
    std::string listen = "127.0.0.1:8741";
    std::string token_file = "/etc/cshield/api.token";
    // GET /metrics and /healthz only, no token, any address (Prometheus,
    // probes from outside the host); empty: off.
    std::string metrics_listen;
  } api;

  struct Policy {
    std::string directory = "/etc/cshield/policy.d";
  } policy;

  struct Detect {
    std::vector<std::string> high_risk_syscalls;    // empty in the file means the default list
    std::vector<WatchedHostPath> file_escape_paths;  // likewise
    std::string signatures = "/etc/cshield/signatures.txt";
    // vulnerability_escape brute_force: this many failed attempts from one
    // container within the window raise one alarm.
    std::size_t brute_force_threshold = 5;
    std::int64_t brute_force_window_seconds = 60;
  } detect;

  // abnormal_startup: what counts as too many permissions ([startup]).
  StartupPolicy startup = default_startup_policy();

  struct Export {
    bool audit = true;
    std::string syslog;
    std::string syslog_format = "cef";
    std::string jsonl;
    std::int64_t queue_size = 10000;  // alarms each exporter holds while its receiver is down
  } exporting;
};

struct ConfigMessage {
  std::string file;
  int line = 0;  // 0: not tied to a line
  std::string text;
  std::string to_string() const;  // "file:line: text"
};

struct ConfigLoad {
  std::optional<Config> config;         // set only when errors is empty
  std::vector<ConfigMessage> errors;
  std::vector<ConfigMessage> warnings;  // accepted, but the user should know
};

ConfigLoad load_config(const std::string& path);
ConfigLoad parse_config(const std::string& text, const std::string& path);

// Every key with its default value, as an annotated INI file.
std::string default_config_text();

}  // namespace cshield
