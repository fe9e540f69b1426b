#include "app/root_path.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <vector>

namespace cshield {
namespace {

std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> host_path_in_root(const std::string& root, const std::string& path, bool follow_last) {
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::vector<std::string> done;  // resolved components below root
  std::deque<std::string> todo = components(path);
  int links = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string candidate = base;
    for (const auto& d : done) candidate += "/" + d;
    candidate += "/" + comp;
    const bool last = todo.empty();
    struct stat st {};
    if ((!last || follow_last) && ::lstat(candidate.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      if (++links > 40) return std::nullopt;
      char buf[PATH_MAX];
      const ssize_t n = ::readlink(candidate.c_str(), buf, sizeof buf - 1);
      if (n < 0) return std::nullopt;
      const std::string target(buf, static_cast<std::size_t>(n));
      auto more = components(target);
      if (!target.empty() && target.front() == '/') done.clear();
      for (auto it = more.rbegin(); it != more.rend(); ++it) todo.push_front(*it);
      continue;
    }
    done.push_back(std::move(comp));
  }
  std::string out = base;
  for (const auto& d : done) out += "/" + d;
  return out.empty() ? std::string("/") : out;
}

}  // namespace cshield
