#include "enrich/runtime_process.h"

#include <array>

namespace cshield {

namespace {

std::string_view basename(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// runc/crun options that take a separate value.
bool takes_value(std::string_view option) {
  static constexpr std::array<std::string_view, 24> kWithValue{
      "--root", "--log", "--log-format", "--criu", "--bundle", "-b", "--pid-file", "--console-socket",
      "--process", "-p", "--cwd", "--env", "-e", "--user", "-u", "--additional-gids", "-g", "--cap", "-c",
      "--apparmor", "--process-label", "--preserve-fds", "--cgroup", "--config"};
  for (auto o : kWithValue)
    if (option == o) return true;
  return false;
}

std::optional<std::string> value_after(const std::vector<std::string>& argv, std::string_view flag) {
  for (std::size_t i = 1; i + 1 < argv.size(); ++i)
    if (argv[i] == flag) return argv[i + 1];
  return std::nullopt;
}

// The container id of `runc|crun ... run|create|exec ... <id>`.
std::optional<std::string> oci_runtime_id(const std::vector<std::string>& argv) {
  bool after_command = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 1 && a[0] == '-') {
      if (a.find('=') == std::string::npos && takes_value(a)) ++i;
      continue;
    }
    if (!after_command) {
      if (a != "run" && a != "create" && a != "exec") return std::nullopt;
      after_command = true;
      continue;
    }
    return a;
  }
  return std::nullopt;
}

bool has(const std::vector<std::string>& argv, std::string_view what) {
  for (const auto& a : argv)
    if (a.find(what) != std::string::npos) return true;
  return false;
}

}  // namespace

bool is_runtime_executable(std::string_view exe) {
  const std::string_view name = basename(exe);
  return name == "runc" || name == "crun" || name == "docker-runc" || name.substr(0, 15) == "containerd-shim" ||
         name == "conmon";
}

std::optional<CgroupMatch> container_of_runtime_process(std::string_view exe, const std::vector<std::string>& argv) {
  const std::string_view name = basename(exe);
  if (argv.empty()) return std::nullopt;
  if (name == "runc" || name == "crun" || name == "docker-runc") {
    auto id = oci_runtime_id(argv);
    if (!id || id->empty()) return std::nullopt;
    // Docker's and containerd's runc roots say who started it.
    std::string runtime = std::string(name == "crun" ? "crun" : "runc");
    if (auto root = value_after(argv, "--root")) {
      if (root->find("/docker/") != std::string::npos || root->find("/moby") != std::string::npos)
        runtime = "docker";
      else if (root->find("k8s.io") != std::string::npos)
        runtime = "kubernetes";
      else if (root->find("containerd") != std::string::npos)
        runtime = "containerd";
    }
    return CgroupMatch{runtime, *id, std::nullopt};
  }
  if (name.substr(0, 15) == "containerd-shim") {
    auto id = value_after(argv, "-id");
    if (!id || id->empty()) return std::nullopt;
    const auto ns = value_after(argv, "-namespace").value_or("");
    const std::string runtime = ns == "moby" ? "docker" : ns == "k8s.io" ? "kubernetes" : "containerd";
    return CgroupMatch{runtime, *id, std::nullopt};
  }
  if (name == "conmon") {
    auto id = value_after(argv, "--cid");
    if (!id) id = value_after(argv, "-c");
    if (!id || id->empty()) return std::nullopt;
    return CgroupMatch{has(argv, "podman") ? "podman" : "cri-o", *id, std::nullopt};
  }
  return std::nullopt;
}

}  // namespace cshield
