#include "app/runtime_paths.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstdio>

#include "app/root_path.h"
#include "detect/vulnerability_escape.h"
#include "rules/rule_root.h"

namespace cshield {
namespace {

// `path` (a node path) with its symlinks resolved as on the node, as the
// path under `root` where cshieldd finds it; empty when it does not exist.
std::string resolved_under_root(const std::string& root, const std::string& path) {
  const std::string r = normal_node_root(root);
  auto under = host_path_in_root(r == "/" ? "" : r, path, true);
  struct stat st {};
  if (!under || ::stat(under->c_str(), &st) != 0) return "";
  return *under;
}

bool is_runtime_name(const std::string& name) {
  for (const auto& r : runtime_binary_names()) {
    if (name == r) return true;
    if (r == "containerd-shim" && name.compare(0, r.size(), r) == 0) return true;
  }
  return false;
}

void add_unique(std::vector<std::string>& out, const std::string& s) {
  if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
}

}  // namespace

std::vector<FileIdentity> file_identities(const std::vector<std::string>& paths, const std::string& node_root) {
  std::vector<FileIdentity> out;
  for (const auto& path : paths) {
    struct stat st;
    if (::stat(path_under_root(node_root, path).c_str(), &st) != 0) continue;
    char dev[32];
    std::snprintf(dev, sizeof dev, "%02x:%02x", major(st.st_dev), minor(st.st_dev));
    out.push_back({path, dev, std::to_string(st.st_ino)});
  }
  return out;
}

std::vector<std::string> existing_runtime_binaries(const std::string& node_root) {
  std::vector<std::string> out;
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin",
                          "/usr/libexec/podman", "/usr/libexec/crio"}) {
    DIR* d = ::opendir(path_under_root(node_root, dir).c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d))
      if (is_runtime_name(e->d_name)) names.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      const std::string real = resolved_under_root(node_root, std::string(dir) + "/" + n);
      struct stat st {};
      if (!real.empty() && ::stat(real.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        add_unique(out, node_path_of(node_root, real));
    }
  }
  return out;
}

std::vector<std::string> runtime_socket_paths(const std::string& node_root) {
  std::vector<std::string> out;
  for (const auto& sock : default_runtime_sockets()) {
    const auto slash = sock.rfind('/');
    const std::string dir = node_path_of(node_root, resolved_under_root(node_root, sock.substr(0, slash)));
    if (!dir.empty()) add_unique(out, (dir == "/" ? "" : dir) + sock.substr(slash));
  }
  return out;
}

}  // namespace cshield
