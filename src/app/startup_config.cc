#include "app/startup_config.h"

#include <algorithm>
#include <sstream>

#include "enrich/oci_posture.h"

namespace cshield {
namespace {

std::vector<std::string> words(const std::string& value, const std::string& separators) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : value + separators.substr(0, 1)) {
    if (separators.find(c) != std::string::npos) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

bool known_capability(const std::string& name) {
  const auto& all = capability_names();
  return std::find(all.begin(), all.end(), name) != all.end();
}

std::optional<std::string> capability_list(const std::string& value, std::vector<std::string>& out) {
  for (const auto& c : words(value, ", \t")) {
    if (!known_capability(c)) return "'" + c + "' is not a capability name (CAP_SYS_ADMIN, CAP_NET_ADMIN, ...)";
    out.push_back(c);
  }
  return std::nullopt;
}

// "NAME:[a,b]" -> "a,b"; nullopt when `finding` is not of that form.
std::optional<std::string> bracketed(const std::string& finding, const std::string& name) {
  const std::string open = name + ":[";
  if (finding.compare(0, open.size(), open) != 0 || finding.back() != ']') return std::nullopt;
  return finding.substr(open.size(), finding.size() - open.size() - 1);
}

}  // namespace

std::optional<std::string> parse_allowed_capabilities(const std::string& value, StartupPolicy& policy) {
  std::vector<std::string> caps;
  if (auto e = capability_list(value, caps)) return e;
  policy.default_capabilities = caps;  // empty: every capability is a finding
  return std::nullopt;
}

std::optional<std::string> parse_critical_paths(const std::string& value, StartupPolicy& policy) {
  std::vector<CriticalPath> paths;
  for (auto item : words(value, ", \t")) {
    CriticalPath p;
    if (item == "/*") item = "//*";  // everything: / and all below it
    if (item.size() > 2 && item.compare(item.size() - 2, 2, "/*") == 0) {
      p.subtree = true;
      item.resize(item.size() - 2);
    }
    if (item.empty() || item[0] != '/') return "'" + item + "' must be an absolute path";
    if (item.find('*') != std::string::npos || item.find('?') != std::string::npos)
      return "'" + item + "': only a trailing /* is understood (the path and everything below it)";
    p.path = item.empty() ? "/" : item;
    paths.push_back(p);
  }
  if (paths.empty()) return std::string("the list is empty (name at least one path)");
  policy.critical_paths = paths;
  return std::nullopt;
}

std::optional<std::string> parse_startup_exception(const std::string& label, const std::string& value,
                                                   StartupPolicy& policy) {
  if (label.empty()) return std::string("the exception needs a label: exception.<label> = <image glob> <finding>...");
  const auto items = words(value, " \t");
  if (items.size() < 2)
    return "exception '" + label + "' needs an image glob and at least one finding, e.g. "
           "'calico/node:* capabilities:[CAP_NET_ADMIN]'";
  StartupException ex;
  ex.image_glob = items[0];
  for (std::size_t i = 1; i < items.size(); ++i) {
    const std::string& f = items[i];
    if (f == "privileged:true" || f == "seccomp=unconfined") {
      ex.findings.push_back(f);
    } else if (auto caps = bracketed(f, "capabilities")) {
      std::vector<std::string> list;
      if (auto e = capability_list(*caps, list)) return "exception '" + label + "': " + *e;
      if (list.empty()) return "exception '" + label + "': capabilities:[] names no capability";
      ex.findings.push_back(f);
    } else if (auto mounts = bracketed(f, "mounts")) {
      const auto sources = words(*mounts, ",");
      if (sources.empty()) return "exception '" + label + "': mounts:[] names no host path";
      for (const auto& s : sources)
        if (s[0] != '/') return "exception '" + label + "': mount source '" + s + "' must be an absolute host path";
      ex.findings.push_back(f);
    } else {
      return "exception '" + label + "': '" + f +
             "' is not a finding (privileged:true, seccomp=unconfined, capabilities:[CAP_...], mounts:[/path,...])";
    }
  }
  policy.exceptions.push_back(std::move(ex));
  return std::nullopt;
}

std::string default_startup_config_text() {
  const StartupPolicy d = default_startup_policy();
  std::ostringstream o;
  o << "[startup]\n; capabilities a container may hold without a finding (Docker's default set)\n"
    << "allowed_capabilities =";
  for (const auto& c : d.default_capabilities) o << ' ' << c;
  o << "\n; host paths whose bind mount is a finding; /x/* also covers everything below /x\n"
    << "critical_paths =";
  for (const auto& p : d.critical_paths) o << ' ' << p.path << (p.subtree ? "/*" : "");
  o << "\n; findings accepted for matching images, e.g.\n"
    << "; exception.calico = calico/node:* capabilities:[CAP_NET_ADMIN,CAP_NET_RAW] mounts:[/run/xtables.lock]\n";
  return o.str();
}

}  // namespace cshield
