#include "api/peer_credentials.h"

#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace cshield {

std::optional<PeerCredentials> peer_credentials(int fd) {
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) return std::nullopt;
  return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

bool peer_may_use_api(const PeerCredentials& peer, gid_t group) {
  if (peer.uid == 0 || peer.uid == ::geteuid() || peer.gid == group) return true;
  std::ifstream status("/proc/" + std::to_string(peer.pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Groups:", 0) != 0) continue;
    std::istringstream groups(line.substr(7));
    long g;
    while (groups >> g)
      if (static_cast<gid_t>(g) == group) return true;
    return false;
  }
  return false;
}

}  // namespace cshield
