#include "enrich/container_start_reader.h"

#include <filesystem>

#include "core/time_format.h"
#include "enrich/container_metadata.h"
#include "enrich/json_fields.h"
#include "enrich/oci_posture.h"

namespace cshield {
namespace {

std::string basename_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Global options of runc and crun that take a value.
bool global_takes_value(const std::string& opt) {
  return opt == "--root" || opt == "--log" || opt == "--log-format" || opt == "--criu" || opt == "--rootless" ||
         opt == "--cgroup-manager";
}

// Options of create/run/delete/kill/start/exec that take a value.
bool command_takes_value(const std::string& opt) {
  return opt == "--bundle" || opt == "-b" || opt == "--console-socket" || opt == "--pid-file" ||
         opt == "--preserve-fds" || opt == "--process" || opt == "-p" || opt == "--cwd" || opt == "--env" ||
         opt == "-e" || opt == "--user" || opt == "-u" || opt == "--cap" || opt == "-c" ||
         opt == "--additional-gids" || opt == "-g" || opt == "--apparmor" || opt == "--process-label" ||
         opt == "--cgroup";
}

// The runtime as cgroup_matcher names it, from the bundle's place and annotations.
std::string runtime_name(const std::string& binary_hint, const std::string& bundle, const std::string& root,
                         const std::string& config_text) {
  auto annotations = json::object(json::parse_object(config_text), "annotations");
  if (annotations) {
    for (const auto& key : annotations->getNames()) {
      if (key.rfind("io.kubernetes.cri-o.", 0) == 0) return "cri-o";
      if (key.rfind("io.kubernetes.cri.", 0) == 0) return "kubernetes";
      if (key.rfind("nerdctl/", 0) == 0) return "nerdctl";
    }
    if (json::string(annotations, "io.container.manager") == "libpod") return "podman";
  }
  if (contains(bundle, "/io.containerd.runtime.v2.task/moby/") || contains(root, "/docker/")) return "docker";
  if (contains(bundle, "/io.containerd.runtime.v2.task/") || contains(root, "/containerd/")) return "containerd";
  return binary_hint;
}

std::optional<std::int64_t> process_start_ticks(const FileReader& files, std::int64_t pid) {
  auto text = files.read("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  const auto close = text->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::size_t pos = close + 1;
  for (int field = 3; field <= 22; ++field) {
    pos = text->find_first_not_of(' ', pos);
    if (pos == std::string::npos) return std::nullopt;
    const auto end = text->find(' ', pos);
    if (field == 22) {
      try {
        return std::stoll(text->substr(pos, end == std::string::npos ? std::string::npos : end - pos));
      } catch (...) {
        return std::nullopt;
      }
    }
    pos = end;
  }
  return std::nullopt;
}

std::int64_t number(const Poco::JSON::Object::Ptr& obj, const std::string& key) {
  try {
    return obj && obj->has(key) ? obj->getValue<std::int64_t>(key) : -1;
  } catch (...) {
    return -1;
  }
}

}  // namespace

std::optional<RuntimeCommand> parse_runtime_command(const std::vector<std::string>& argv) {
  RuntimeCommand c;
  std::size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.empty() || a[0] != '-') break;
    const auto eq = a.find('=');
    const std::string name = a.substr(0, eq);
    std::string value;
    if (eq != std::string::npos) {
      value = a.substr(eq + 1);
    } else if (global_takes_value(name) && i + 1 < argv.size()) {
      value = argv[++i];
    }
    if (name == "--root") c.root = value;
  }
  if (i >= argv.size()) return std::nullopt;
  c.command = argv[i++];
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      if (i + 1 < argv.size() && c.id.empty()) c.id = argv[i + 1];
      break;
    }
    if (!a.empty() && a[0] == '-' && a.size() > 1) {
      const auto eq = a.find('=');
      const std::string name = a.substr(0, eq);
      std::string value;
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
      } else if (command_takes_value(name) && i + 1 < argv.size()) {
        value = argv[++i];
      }
      if (name == "--bundle" || name == "-b") c.bundle = value;
      continue;
    }
    if (c.id.empty()) c.id = a;
    if (c.command != "exec") continue;
    break;  // exec: the rest is the process's own command line
  }
  return c;
}

bool is_oci_runtime_binary(const std::string& path) {
  const std::string base = basename_of(path);
  return base == "runc" || base == "crun" || base == "youki" || base == "docker-runc";
}

ContainerStartReader::ContainerStartReader(const FileReader& files, std::vector<std::string> host_capabilities)
    : files_(files), host_capabilities_(std::move(host_capabilities)) {}

std::optional<ContainerStart> ContainerStartReader::start_of(const std::string& runtime_exe,
                                                             const RuntimeCommand& command, const std::string& cwd,
                                                             std::int64_t time_ms) const {
  if ((command.command != "create" && command.command != "run") || command.id.empty()) return std::nullopt;
  std::string bundle = command.bundle.empty() ? cwd : command.bundle;
  if (!bundle.empty() && bundle.front() != '/') bundle = cwd + "/" + bundle;
  while (bundle.size() > 1 && bundle.back() == '/') bundle.pop_back();
  if (bundle.empty()) return std::nullopt;
  return read(basename_of(runtime_exe), command.id, bundle, command.root, time_ms);
}

std::optional<ContainerStart> ContainerStartReader::start_of(const RunningContainer& r) const {
  return read(r.runtime_binary, r.id, r.bundle, r.state_root, r.created_ms);
}

std::optional<ContainerStart> ContainerStartReader::read(const std::string& binary, const std::string& id,
                                                         const std::string& bundle, const std::string& root,
                                                         std::int64_t time_ms) const {
  try {
    auto text = files_.read(bundle + "/config.json", 8 << 20);
    if (!text) return std::nullopt;
    auto posture = posture_from_oci_config(*text, host_capabilities_);
    if (!posture) return std::nullopt;
    ContainerStart s;
    s.posture = std::move(*posture);
    s.started_ms = time_ms;
    const std::string runtime = runtime_name(binary, bundle, root, *text);
    ContainerMetadataReader metadata(files_, nullptr);
    s.container = metadata.read(runtime, id);
    s.container.bundle = bundle;
    if (runtime == "docker") {
      if (auto host_config = files_.read("/var/lib/docker/containers/" + id + "/hostconfig.json"))
        apply_docker_host_config(*host_config, s.posture);
    }
    return s;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<ContainerPosture> ContainerStartReader::posture_of(const ContainerInfo& c) const {
  if (c.bundle.empty()) return std::nullopt;
  auto text = files_.read(c.bundle + "/config.json", 8 << 20);
  if (!text) return std::nullopt;
  auto posture = posture_from_oci_config(*text, host_capabilities_);
  if (posture && c.runtime == "docker") {
    if (auto host_config = files_.read("/var/lib/docker/containers/" + c.id + "/hostconfig.json"))
      apply_docker_host_config(*host_config, *posture);
  }
  return posture;
}

std::vector<RunningContainer> ContainerStartReader::running(const std::string& fs_root) const {
  std::vector<RunningContainer> out;
  for (auto& c : listed(fs_root))
    if (c.alive && !c.bundle.empty()) out.push_back(std::move(c));
  return out;
}

std::vector<RunningContainer> ContainerStartReader::listed(const std::string& fs_root) const {
  namespace fs = std::filesystem;
  std::vector<RunningContainer> out;
  const std::string prefix = fs_root == "/" ? "" : fs_root;
  auto subdirs = [&](const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(prefix + dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec)) names.push_back(it->path().filename().string());
    return names;
  };
  std::vector<std::pair<std::string, std::string>> roots = {{"/run/runc", "runc"}};  // state root, binary
  for (const auto& ns : subdirs("/run/docker/runtime-runc")) roots.push_back({"/run/docker/runtime-runc/" + ns, "runc"});
  for (const auto& ns : subdirs("/run/containerd/runc")) roots.push_back({"/run/containerd/runc/" + ns, "runc"});
  for (const auto& [root, binary] : roots) {
    for (const auto& id : subdirs(root)) {
      auto state = json::parse_object(files_.read(root + "/" + id + "/state.json", 8 << 20).value_or(""));
      if (!state) continue;
      const std::int64_t pid = number(state, "init_process_pid");
      const std::int64_t start = number(state, "init_process_start");
      RunningContainer r{json::string(state, "id"), binary, root, {}, 0};
      r.alive = pid > 0 && process_start_ticks(files_, pid) == start;
      if (r.id.empty()) r.id = id;
      auto labels = json::array(json::object(state, "config"), "labels");
      for (unsigned i = 0; labels && i < labels->size(); ++i) {
        const std::string label = json::string_at(labels, i);
        if (label.rfind("bundle=", 0) == 0) r.bundle = label.substr(7);
      }
      r.created_ms = parse_time_ms(json::string(state, "created")).value_or(0);
      out.push_back(std::move(r));
    }
  }
  for (const auto& id : subdirs("/run/crun")) {
    auto status = json::parse_object(files_.read("/run/crun/" + id + "/status").value_or(""));
    if (!status) continue;
    const std::int64_t pid = number(status, "pid");
    RunningContainer r{id, "crun", "/run/crun", json::string(status, "bundle"),
                       parse_time_ms(json::string(status, "created")).value_or(0)};
    r.alive = pid > 0 && process_start_ticks(files_, pid) == number(status, "process-start-time");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cshield
