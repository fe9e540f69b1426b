#include "app/config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "app/ini_file.h"
#include "app/startup_config.h"
#include "detect/high_risk_syscall.h"
#include "rules/rule_root.h"

namespace cshield {

std::string ConfigMessage::to_string() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  return s + ": " + text;
}

namespace {

using Setter = std::function<std::optional<std::string>(Config&, const std::string&)>;  // error text or nullopt

std::optional<std::string> parse_uint(const std::string& v, std::int64_t min, std::int64_t max, std::int64_t& out) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
    return "'" + v + "' is not a whole number";
  if (v.size() > 18) return "'" + v + "' is too large";
  const std::int64_t n = std::stoll(v);
  if (n < min || n > max)
    return "'" + v + "' is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")";
  out = n;
  return std::nullopt;
}

std::optional<std::string> parse_bool(const std::string& v, bool& out) {
  static const std::set<std::string> yes{"yes", "true", "on", "1"}, no{"no", "false", "off", "0"};
  if (yes.count(v)) out = true;
  else if (no.count(v)) out = false;
  else return "'" + v + "' is not yes or no";
  return std::nullopt;
}

std::optional<std::string> one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (v == a) return std::nullopt;
    list += list.empty() ? a : std::string(" | ") + a;
  }
  return "'" + v + "' is not one of: " + list;
}

std::optional<std::string> absolute_path(const std::string& v, bool may_be_empty) {
  if (v.empty()) return may_be_empty ? std::nullopt : std::optional<std::string>("a path is required");
  if (v[0] != '/') return "'" + v + "' must be an absolute path";
  return std::nullopt;
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : v + ",") {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> endpoint_url(const std::string& v) {
  if (v.empty()) return std::nullopt;
  const auto scheme = v.find("://");
  if (scheme == std::string::npos || (v.compare(0, scheme, "udp") != 0 && v.compare(0, scheme, "tcp") != 0))
    return "'" + v + "' is not udp://host:port or tcp://host:port";
  const auto colon = v.rfind(':');
  if (colon <= scheme + 2 || colon + 1 >= v.size()) return "'" + v + "' lacks a port";
  std::int64_t port;
  if (auto e = parse_uint(v.substr(colon + 1), 1, 65535, port)) return "port " + *e;
  return std::nullopt;
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table{
      {"audit.mode", [](Config& c, const std::string& v) {
         if (auto e = one_of(v, {"auto", "netlink", "multicast", "plugin"})) return e;
         c.audit.mode = v;
         return std::optional<std::string>();
       }},
      {"audit.backlog_limit", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 64, 1 << 24, n)) return e;
         c.audit.backlog_limit = static_cast<std::uint32_t>(n);
         return std::optional<std::string>();
       }},
      {"audit.backlog_wait_time", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 0, 600000, n)) return e;
         c.audit.backlog_wait_time = static_cast<std::uint32_t>(n);
         return std::optional<std::string>();
       }},
      {"audit.read_delay_ms", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 0, 100, n)) return e;
         c.audit.read_delay_ms = static_cast<std::uint32_t>(n);
         return std::optional<std::string>();
       }},
      {"node.name", [](Config& c, const std::string& v) {
         for (char ch : v)
           if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f)
             return std::optional<std::string>("'" + v + "' holds a space or a control character");
         if (v.size() > 253) return std::optional<std::string>("a node name has at most 253 characters");
         c.node.name = v;
         return std::optional<std::string>();
       }},
      {"node.root", [](Config& c, const std::string& v) {
         if (auto e = absolute_path(v, false)) return e;
         struct stat st {};
         if (::stat(v.c_str(), &st) != 0)
           return std::optional<std::string>("'" + v + "': " + std::strerror(errno));
         if (!S_ISDIR(st.st_mode)) return std::optional<std::string>("'" + v + "' is not a directory");
         c.node.root = normal_node_root(v);
         return std::optional<std::string>();
       }},
      {"storage.database", [](Config& c, const std::string& v) {
         if (auto e = absolute_path(v, false)) return e;
         c.storage.database = v;
         return std::optional<std::string>();
       }},
      {"storage.retention_days", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 1, 36500, n)) return e;
         c.storage.retention_days = static_cast<int>(n);
         return std::optional<std::string>();
       }},
      {"storage.max_alarms", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 1000, 1000000000, n)) return e;
         c.storage.max_alarms = n;
         return std::optional<std::string>();
       }},
      {"storage.fold_window_seconds", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 0, 86400 * 30, n)) return e;
         c.storage.fold_window_seconds = n;
         return std::optional<std::string>();
       }},
      {"api.socket", [](Config& c, const std::string& v) {
         if (auto e = absolute_path(v, true)) return e;
         c.api.socket = v;
         return std::optional<std::string>();
       }},
      {"api.socket_group", [](Config& c, const std::string& v) {
         c.api.socket_group = v;
         return std::optional<std::string>();
       }},
      {"api.listen", [](Config& c, const std::string& v) {
         if (!v.empty()) {
           const auto colon = v.rfind(':');
           if (colon == std::string::npos) return std::optional<std::string>("'" + v + "' is not host:port");
           std::int64_t port;
           if (auto e = parse_uint(v.substr(colon + 1), 0, 65535, port)) return std::optional<std::string>("port " + *e);
           const std::string host = v.substr(0, colon);
           if (host != "localhost" && host.rfind("127.", 0) != 0 && host != "[::1]")
             return std::optional<std::string>("'" + host + "' is not a loopback address: the API listens on loopback only");
         }
         c.api.listen = v;
         return std::optional<std::string>();
       }},
      {"api.metrics_listen", [](Config& c, const std::string& v) {
         if (!v.empty()) {
           const auto colon = v.rfind(':');
           if (colon == std::string::npos || colon == 0) return std::optional<std::string>("'" + v + "' is not host:port");
           std::int64_t port;
           if (auto e = parse_uint(v.substr(colon + 1), 0, 65535, port)) return std::optional<std::string>("port " + *e);
         }
         c.api.metrics_listen = v;
         return std::optional<std::string>();
       }},
      {"api.token_file", [](Config& c, const std::string& v) {
         if (auto e = absolute_path(v, true)) return e;
         c.api.token_file = v;
         return std::optional<std::string>();
       }},
      {"policy.directory", [](Config& c, const std::string& v) {
         if (auto e = absolute_path(v, true)) return e;
         c.policy.directory = v;
         return std::optional<std::string>();
       }},
      {"detect.signatures", [](Config& c, const std::string& v) {
         if (auto e = absolute_path(v, true)) return e;
         c.detect.signatures = v;
         return std::optional<std::string>();
       }},
      {"detect.high_risk_syscalls", [](Config& c, const std::string& v) {
         auto names = split_list(v);
         if (names.empty()) return std::optional<std::string>("the list is empty");
         for (const auto& n : names)
           if (n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
             return std::optional<std::string>("'" + n + "' is not a system call name");
         c.detect.high_risk_syscalls = names;
         return std::optional<std::string>();
       }},
      {"detect.file_escape_paths", [](Config& c, const std::string& v) {
         // "/etc/shadow, /etc/passwd:w, /etc/sudoers.d/" — ":w" watches writes only
         std::vector<WatchedHostPath> paths;
         for (auto item : split_list(v)) {
           bool reads = true;
           if (item.size() > 2 && item.compare(item.size() - 2, 2, ":w") == 0) {
             reads = false;
             item.resize(item.size() - 2);
           }
           if (auto e = absolute_path(item, false)) return e;
           // Each path becomes a kernel watch, which matches one path literally.
           if (item.find_first_of("*?[") != std::string::npos)
             return std::optional<std::string>("'" + item +
                                               "': a pattern; kernel audit watches take no patterns: list each file, "
                                               "or a directory (ending in /) to watch everything under it");
           paths.push_back({item, reads});
         }
         if (paths.empty()) return std::optional<std::string>("the list is empty");
         c.detect.file_escape_paths = paths;
         return std::optional<std::string>();
       }},
      {"detect.brute_force_threshold", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 2, 100000, n)) return e;
         c.detect.brute_force_threshold = static_cast<std::size_t>(n);
         return std::optional<std::string>();
       }},
      {"detect.brute_force_window_seconds", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 1, 86400, n)) return e;
         c.detect.brute_force_window_seconds = n;
         return std::optional<std::string>();
       }},
      {"startup.allowed_capabilities",
       [](Config& c, const std::string& v) { return parse_allowed_capabilities(v, c.startup); }},
      {"startup.critical_paths", [](Config& c, const std::string& v) { return parse_critical_paths(v, c.startup); }},
      {"export.audit", [](Config& c, const std::string& v) { return parse_bool(v, c.exporting.audit); }},
      {"export.syslog", [](Config& c, const std::string& v) {
         if (auto e = endpoint_url(v)) return e;
         c.exporting.syslog = v;
         return std::optional<std::string>();
       }},
      {"export.syslog_format", [](Config& c, const std::string& v) {
         if (auto e = one_of(v, {"cef", "json"})) return e;
         c.exporting.syslog_format = v;
         return std::optional<std::string>();
       }},
      {"export.jsonl", [](Config& c, const std::string& v) {
         if (auto e = absolute_path(v, true)) return e;
         c.exporting.jsonl = v;
         return std::optional<std::string>();
       }},
      {"export.queue_size", [](Config& c, const std::string& v) {
         std::int64_t n;
         if (auto e = parse_uint(v, 1, 1000000, n)) return e;
         c.exporting.queue_size = n;
         return std::optional<std::string>();
       }},
  };
  return table;
}

std::string known_keys_of(const std::string& section) {
  std::string out;
  for (const auto& [name, _] : setters())
    if (name.compare(0, section.size() + 1, section + ".") == 0)
      out += (out.empty() ? "" : ", ") + name.substr(section.size() + 1);
  return out;
}

}  // namespace

namespace {

ConfigLoad validate(const IniFile& ini) {
  const std::string& path = ini.path;
  ConfigLoad result;
  for (const auto& i : ini.issues) result.errors.push_back({path, i.line, i.message});
  Config c;
  c.path = path;
  std::map<std::string, int> seen;
  for (const auto& e : ini.entries) {
    const std::string name = e.section + "." + e.key;
    if (e.section == "startup" && e.key.compare(0, 10, "exception.") == 0) {
      if (auto prev = seen.find(name); prev != seen.end())
        result.errors.push_back({path, e.line, "'" + e.key + "' in [startup] is set again (first on line " +
                                                   std::to_string(prev->second) + ")"});
      seen[name] = e.line;
      if (auto err = parse_startup_exception(e.key.substr(10), e.value, c.startup))
        result.errors.push_back({path, e.line, *err});
      continue;
    }
    auto it = setters().find(name);
    if (it == setters().end()) {
      const std::string known = known_keys_of(e.section);
      result.errors.push_back({path, e.line,
                               known.empty() ? "unknown section [" + e.section + "]"
                                             : "unknown key '" + e.key + "' in [" + e.section + "] (known: " + known + ")"});
      continue;
    }
    if (auto prev = seen.find(name); prev != seen.end())
      result.errors.push_back({path, e.line, "'" + e.key + "' in [" + e.section + "] is set again (first on line " +
                                                 std::to_string(prev->second) + ")"});
    seen[name] = e.line;
    if (auto err = it->second(c, e.value)) result.errors.push_back({path, e.line, e.key + ": " + *err});
  }
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace

ConfigLoad parse_config(const std::string& text, const std::string& path) {
  return validate(IniFile::parse(text, path));
}

ConfigLoad load_config(const std::string& path) {
  std::string error;
  auto ini = IniFile::load(path, error);
  if (!ini) {
    ConfigLoad result;
    result.errors.push_back({path, 0, error.substr(path.size() + 2)});
    return result;
  }
  return validate(*ini);
}

std::string default_config_text() {
  const Config d;
  std::ostringstream o;
  o << "; cshieldd configuration. Every key is optional; shown with its default.\n"
    << "[node]\n"
    << "name =                ; empty: $CSHIELD_NODE_NAME, else the host name\n"
    << "root = " << d.node.root << "              ; the node's / as mounted here (/host in a Kubernetes pod)\n"
    << "[audit]\n"
    << "mode = " << d.audit.mode << "            ; auto | netlink | multicast | plugin\n"
    << "backlog_limit = " << d.audit.backlog_limit << "\n"
    << "backlog_wait_time = " << d.audit.backlog_wait_time << "\n"
    << "read_delay_ms = " << d.audit.read_delay_ms << "      ; 0: read at once; see cshield.conf(5)\n"
    << "[storage]\n"
    << "database = " << d.storage.database << "\n"
    << "retention_days = " << d.storage.retention_days << "\n"
    << "max_alarms = " << d.storage.max_alarms << "\n"
    << "fold_window_seconds = " << d.storage.fold_window_seconds << "\n"
    << "[api]\n"
    << "socket = " << d.api.socket << "\n"
    << "listen = " << d.api.listen << "\n"
    << "token_file = " << d.api.token_file << "\n"
    << "metrics_listen =      ; host:port for /metrics and /healthz only, no token; empty: off\n"
    << "[policy]\n"
    << "directory = " << d.policy.directory << "\n"
    << "[detect]\n"
    << "signatures = " << d.detect.signatures << "\n"
    << "brute_force_threshold = " << d.detect.brute_force_threshold << "\n"
    << "brute_force_window_seconds = " << d.detect.brute_force_window_seconds << "\n"
    << default_startup_config_text()
    << "[export]\n"
    << "audit = " << (d.exporting.audit ? "yes" : "no") << "\n"
    << "syslog = " << d.exporting.syslog << "\n"
    << "syslog_format = " << d.exporting.syslog_format << "\n"
    << "jsonl = " << d.exporting.jsonl << "\n"
    << "queue_size = " << d.exporting.queue_size << "\n";
  return o.str();
}

}  // namespace cshield
