// A policy group (API.md "A policy group"): which containers it covers
// (selectors) and what it allows and protects in them. Plain value types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cshield {

struct PolicySelectors {
  std::vector<std::string> images;      // globs over the image name ("nginx:*")
  std::vector<std::string> names;       // globs over the container name ("web-*")
  std::vector<std::string> namespaces;  // Kubernetes namespaces, exact
  std::map<std::string, std::string> labels;  // every pair must be on the container

  bool empty() const { return images.empty() && names.empty() && namespaces.empty() && labels.empty(); }
  bool operator==(const PolicySelectors& o) const {
    return images == o.images && names == o.names && namespaces == o.namespaces && labels == o.labels;
  }
};

struct PolicyGroup {
  std::string name;
  PolicySelectors selectors;
  std::vector<std::string> process_whitelist;  // absolute paths as the container sees them, globs allowed
  std::vector<std::string> protected_files;    // absolute paths inside the container, globs allowed

  // Where it came from: "api", or the policy file's path. Not part of the definition.
  std::string source = "api";
  int line = 1;  // the line of the group in its file (its first key), for errors
  // While set and in the future, abnormal_process learns instead of alarming.
  std::optional<std::int64_t> learning_until_ms;
};

// A problem found in a policy: where, and what.
struct PolicyError {
  std::string file;  // empty for a REST body
  int line = 0;      // 0 when not tied to a line
  std::string message;

  // "web.json:4: unknown key ..." / "line 4: ..." / the message alone.
  std::string to_string() const;
};

}  // namespace cshield
