#include "enrich/cgroup_matcher.h"

#include <algorithm>

#include "core/affixes.h"

namespace cshield {
namespace {

bool is_container_id(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// runc and crun accept ^[\w+.-]+$ as container names.
bool is_runtime_name(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '+' || c == '.' || c == '-';
  });
}

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view comp = path.substr(0, slash);
    if (!comp.empty()) out.push_back(comp);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool has_token(std::string_view list, std::string_view token) {
  while (true) {
    std::size_t comma = list.find(',');
    if (list.substr(0, comma) == token) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

int line_rank(std::string_view controllers) {
  if (controllers.empty()) return 4;  // the v2 line
  if (has_token(controllers, "name=systemd")) return 0;
  if (has_token(controllers, "memory")) return 1;
  if (has_token(controllers, "pids")) return 2;
  if (has_token(controllers, "cpu")) return 3;
  return 5;
}

// Scope and systemd-driver prefixes ("<prefix><id>.scope", "slice:<prefix>:<id>").
struct RuntimePrefix {
  std::string_view prefix;
  std::string_view runtime;
};
constexpr RuntimePrefix kScopePrefixes[] = {
    {"docker", "docker"}, {"cri-containerd", "containerd"}, {"crio", "cri-o"},
    {"libpod", "podman"}, {"nerdctl", "nerdctl"},
};

std::optional<std::string_view> runtime_of_prefix(std::string_view prefix) {
  for (const auto& p : kScopePrefixes)
    if (p.prefix == prefix) return p.runtime;
  return std::nullopt;
}

struct Hit {
  std::string_view runtime;
  std::string_view id;
};

// One path component: "docker-<id>.scope", "slice:cri-containerd:<id>", a
// bare "<id>" (cgroupfs driver, named by its parent component).
std::optional<Hit> match_component(std::string_view comp, std::string_view parent) {
  std::size_t colon = comp.find(':');
  if (colon != std::string_view::npos) {
    std::string_view rest = comp.substr(colon + 1);
    std::size_t colon2 = rest.find(':');
    if (colon2 == std::string_view::npos) return std::nullopt;
    std::string_view id = rest.substr(colon2 + 1);
    auto runtime = runtime_of_prefix(rest.substr(0, colon2));
    if (!runtime || !is_container_id(id)) return std::nullopt;
    return Hit{*runtime, id};
  }
  if (ends_with(comp, ".scope")) {
    std::string_view stem = comp.substr(0, comp.size() - 6);
    std::size_t dash = stem.rfind('-');
    if (dash == std::string_view::npos) return std::nullopt;
    std::string_view id = stem.substr(dash + 1);
    // "crio-conmon-<id>" and "libpod-conmon-<id>" are the host-side monitors:
    // their prefix is not a runtime prefix.
    auto runtime = runtime_of_prefix(stem.substr(0, dash));
    if (!runtime || !is_container_id(id)) return std::nullopt;
    return Hit{*runtime, id};
  }
  // CRI-O's cgroupfs driver: "crio-<id>" without ".scope" under the pod.
  if (starts_with(comp, "crio-") && is_container_id(comp.substr(5))) return Hit{"cri-o", comp.substr(5)};
  if (is_container_id(comp)) {
    // cgroupfs driver: /docker/<id>, containerd's /<namespace>/<id>
    // (nerdctl's namespace is "default"), /kubepods/<qos>/pod<uid>/<id>.
    if (parent == "docker") return Hit{"docker", comp};
    if (parent == "default") return Hit{"nerdctl", comp};
    return Hit{"containerd", comp};
  }
  return std::nullopt;
}

// "pod<uid>" (cgroupfs) or "kubepods[-<qos>]-pod<uid_with_underscores>.slice"
// (systemd; "kubelet-kubepods-..." when the kubelet runs in its own slice, as
// in kind's nodes).
std::optional<std::string> pod_uid_of(const std::vector<std::string_view>& comps) {
  for (std::string_view comp : comps) {
    comp = comp.substr(0, comp.find(':'));
    std::string_view uid;
    if (starts_with(comp, "pod")) {
      uid = comp.substr(3);
    } else if (comp.find("kubepods") != std::string_view::npos && ends_with(comp, ".slice")) {
      std::size_t pos = comp.find("-pod");
      if (pos == std::string_view::npos) continue;
      uid = comp.substr(pos + 4, comp.size() - 6 - (pos + 4));
    } else {
      continue;
    }
    if (uid.empty()) continue;
    std::string out(uid);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
  }
  return std::nullopt;
}

std::optional<CgroupMatch> match_path(std::string_view path) {
  auto comps = components(path);
  for (std::size_t i = comps.size(); i-- > 0;) {
    auto hit = match_component(comps[i], i > 0 ? comps[i - 1] : std::string_view{});
    if (!hit) continue;
    CgroupMatch m{std::string(hit->runtime), std::string(hit->id), std::nullopt};
    bool kube = std::any_of(comps.begin(), comps.begin() + static_cast<std::ptrdiff_t>(i + 1),
                            [](std::string_view c) { return c.find("kubepods") != std::string_view::npos; });
    if (kube) {
      m.pod_uid = pod_uid_of(comps);
      if (m.runtime == "containerd") m.runtime = "kubernetes";
    }
    return m;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> cgroup_paths(std::string_view text) {
  std::vector<std::pair<int, std::string>> ranked;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    std::size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    std::size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view path = line.substr(c2 + 1);
    if (path.empty() || path.front() != '/') continue;
    ranked.emplace_back(line_rank(line.substr(c1 + 1, c2 - c1 - 1)), std::string(path));
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [rank, path] : ranked)
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(std::move(path));
  return out;
}

std::optional<CgroupMatch> match_cgroup(std::string_view text) {
  for (const auto& path : cgroup_paths(text))
    if (auto m = match_path(path)) return m;
  return std::nullopt;
}

std::optional<CgroupMatch> CgroupMatcher::match(std::string_view text) const {
  auto paths = cgroup_paths(text);
  for (const auto& path : paths)
    if (auto m = match_path(path)) return m;
  for (const auto& path : paths) {
    auto comps = components(path);
    if (comps.empty()) continue;
    std::vector<std::string_view> names{comps.back()};
    if (comps.size() > 1) names.push_back(comps.front());
    for (std::string_view prefix : {"runc-", "crun-"}) {  // systemd cgroup driver
      if (starts_with(comps.back(), prefix) && ends_with(comps.back(), ".scope"))
        names.push_back(comps.back().substr(prefix.size(), comps.back().size() - prefix.size() - 6));
    }
    for (std::string_view name : names)
      if (auto m = match_runtime_state(std::string(name))) return m;
  }
  return std::nullopt;
}

std::optional<CgroupMatch> CgroupMatcher::match_runtime_state(const std::string& name) const {
  if (!is_runtime_name(name)) return std::nullopt;
  if (files_.exists("/run/runc/" + name + "/state.json")) return CgroupMatch{"runc", name, std::nullopt};
  if (files_.exists("/run/crun/" + name + "/status")) return CgroupMatch{"crun", name, std::nullopt};
  return std::nullopt;
}

}  // namespace cshield
