// A path inside a container as a host path: `path` below `root` (the
// container's root filesystem on the host), with the symlinks on the way
// resolved as the container would (an absolute link target starts again at
// `root`, ".." stops at `root`), so that a link in an image cannot make
// cshield act on a host file outside the container's root. The last
// component is followed only when `follow_last`. Reads the filesystem; no
// state. nullopt after 40 links (a loop).
#pragma once

#include <optional>
#include <string>

namespace cshield {

std::optional<std::string> host_path_in_root(const std::string& root, const std::string& path, bool follow_last);

}  // namespace cshield
