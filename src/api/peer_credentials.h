// Who is on the other end of a Unix socket connection, and may they use the
// API. Defence in depth behind the socket file's mode (0660): even if the
// file's mode is widened by mistake, only root, the daemon's own user and
// members of the socket's group are answered.
#pragma once

#include <sys/types.h>

#include <optional>

namespace cshield {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// SO_PEERCRED of a connected Unix socket; nullopt when unavailable.
std::optional<PeerCredentials> peer_credentials(int fd);

// root, the daemon's effective user, or a member (primary or supplementary,
// read from /proc/<pid>/status) of `group`.
bool peer_may_use_api(const PeerCredentials& peer, gid_t group);

}  // namespace cshield
