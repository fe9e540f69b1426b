#include "policy/policy_directory.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cshield {

PolicyParse load_policy_directory(const std::string& directory) {
  PolicyParse result;
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) {
    if (errno != ENOENT)
      result.errors.push_back(PolicyError{directory, 0, std::string("cannot read the policy directory: ") +
                                                            std::strerror(errno)});
    return result;
  }
  std::vector<std::string> files;
  while (dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0 && name[0] != '.') files.push_back(name);
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end());
  std::vector<PolicyGroup> groups;
  for (const auto& name : files) {
    const std::string path = directory + (directory.empty() || directory.back() == '/' ? "" : "/") + name;
    std::ifstream in(path);
    if (!in) {
      result.errors.push_back(PolicyError{path, 0, std::string("cannot read: ") + std::strerror(errno)});
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    PolicyParse one = parse_policy_document(text.str(), path);
    result.errors.insert(result.errors.end(), one.errors.begin(), one.errors.end());
    for (auto& g : one.groups) groups.push_back(std::move(g));
  }
  if (result.errors.empty()) {
    result.errors = policy_set_problems(groups);
  }
  if (result.errors.empty()) result.groups = std::move(groups);
  return result;
}

}  // namespace cshield
