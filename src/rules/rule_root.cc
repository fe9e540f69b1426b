#include "rules/rule_root.h"

#include <array>

namespace cshield {
namespace {

bool is_top(const std::string& root) { return root.empty() || root == "/"; }

}  // namespace

std::string normal_node_root(const std::string& root) {
  std::string out = root;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out.empty() ? "/" : out;
}

std::string path_under_root(const std::string& root, const std::string& path) {
  if (is_top(root) || path.empty() || path.front() != '/') return path;
  const std::string r = normal_node_root(root);
  return path == "/" ? r : r + path;
}

std::string node_path_of(const std::string& root, const std::string& path) {
  if (is_top(root)) return path;
  const std::string r = normal_node_root(root);
  if (path == r) return "/";
  if (path.size() > r.size() && path.compare(0, r.size(), r) == 0 && path[r.size()] == '/') return path.substr(r.size());
  return "";
}

AuditRule rule_under_root(const AuditRule& rule, const std::string& root) {
  if (is_top(root)) return rule;
  AuditRule out = rule;
  if (out.kind == AuditRule::Kind::kWatch) out.path = path_under_root(root, out.path);
  static constexpr std::array<const char*, 4> kPathFields{"path=", "dir=", "exe=", "exe!="};
  for (auto& f : out.fields)
    for (const std::string name : kPathFields)
      if (f.compare(0, name.size(), name) == 0) {
        f = name + path_under_root(root, f.substr(name.size()));
        break;
      }
  return out;
}

}  // namespace cshield
