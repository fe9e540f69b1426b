// Arbitrary bytes as every runtime state file a container's metadata is read
// from (OCI config.json, runc state.json, crun status, Docker config.v2.json,
// containers/storage JSON), for every runtime.
#include <cstddef>
#include <cstdint>
#include <string>

#include "enrich/container_metadata.h"
#include "enrich/docker_socket_client.h"
#include "enrich/file_reader.h"

namespace {

struct EveryFileIs : cshield::FileReader {
  std::string content;
  std::optional<std::string> read(const std::string&, std::size_t) const override { return content; }
  std::optional<std::string> read_link(const std::string&) const override { return content; }
  bool exists(const std::string&) const override { return true; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  EveryFileIs files;
  files.content.assign(reinterpret_cast<const char*>(data), size);
  cshield::ContainerMetadataReader reader(files, nullptr);
  for (const char* runtime : {"docker", "containerd", "kubernetes", "cri-o", "podman", "nerdctl", "runc", "crun"})
    (void)reader.read(runtime, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  (void)cshield::parse_docker_container_json(files.content);
  return 0;
}
