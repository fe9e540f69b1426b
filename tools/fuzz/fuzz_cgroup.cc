// Arbitrary bytes as /proc/<pid>/cgroup text through the cgroup matcher,
// with every runtime state file present (so the plain runc/crun paths run).
#include <cstddef>
#include <cstdint>
#include <string>

#include "enrich/cgroup_matcher.h"
#include "enrich/file_reader.h"

namespace {

struct EverythingExists : cshield::FileReader {
  std::optional<std::string> read(const std::string&, std::size_t) const override { return std::string("{}"); }
  std::optional<std::string> read_link(const std::string&) const override { return std::nullopt; }
  bool exists(const std::string&) const override { return true; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)cshield::match_cgroup(text);
  (void)cshield::cgroup_paths(text);
  static EverythingExists files;
  cshield::CgroupMatcher matcher(files);
  (void)matcher.match(text);
  return 0;
}
