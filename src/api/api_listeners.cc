#include "api/api_listeners.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

namespace cshield {

// Connections the kernel holds before the server accepts them: 200 clients
// connecting at once must wait their turn, not be refused (a full unix
// socket backlog fails a non-blocking connect at once).
constexpr int kListenBacklog = 1024;

namespace {

using Poco::Net::SocketAddress;

std::string errno_text() { return std::strerror(errno); }

bool someone_serves(const std::string& path) {
  try {
    Poco::Net::StreamSocket probe;
    probe.connect(SocketAddress(SocketAddress::UNIX_LOCAL, path), Poco::Timespan(1, 0));
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

// Removes a stale socket file at `path`; false (with `error`) when `path` must be kept.
bool clear_socket_path(const std::string& path, std::string& error) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    error = "cannot inspect API socket path " + path + ": " + errno_text();
    return false;
  }
  if (!S_ISSOCK(st.st_mode)) {
    error = "API socket path " + path + " exists and is not a socket; remove it or choose another [api] socket";
    return false;
  }
  if (someone_serves(path)) {
    error = "API socket " + path + " is in use by another process (is another cshieldd running?)";
    return false;
  }
  if (::unlink(path.c_str()) != 0) {
    error = "cannot remove stale API socket " + path + ": " + errno_text();
    return false;
  }
  return true;
}

std::optional<gid_t> group_id(const std::string& group, std::string& error) {
  struct group entry {};
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  int rc = ::getgrnam_r(group.c_str(), &entry, buf.data(), buf.size(), &found);
  if (rc != 0 || !found) {
    error = "unknown group '" + group + "' for the API socket";
    return std::nullopt;
  }
  return found->gr_gid;
}

}  // namespace

std::optional<Poco::Net::ServerSocket> bind_loopback_tcp(const std::string& listen, std::string& error) {
  SocketAddress address;
  try {
    address = SocketAddress(listen);
  } catch (const Poco::Exception& e) {
    error = "invalid API listen address '" + listen + "' (expected host:port such as 127.0.0.1:8741): " + e.displayText();
    return std::nullopt;
  }
  if (!address.host().isLoopback()) {
    error = "API listen address " + listen +
            " is not a loopback address; the TCP API listens on 127.0.0.0/8 or ::1 only "
            "(use the Unix socket, or a reverse proxy for remote access)";
    return std::nullopt;
  }
  try {
    return Poco::Net::ServerSocket(address, kListenBacklog);
  } catch (const Poco::Exception& e) {
    error = "cannot listen on " + listen + ": " + e.displayText();
    return std::nullopt;
  }
}

std::optional<Poco::Net::ServerSocket> bind_any_tcp(const std::string& listen, std::string& error) {
  try {
    return Poco::Net::ServerSocket(SocketAddress(listen));
  } catch (const Poco::Exception& e) {
    error = "cannot listen for metrics on '" + listen + "' (expected host:port such as 0.0.0.0:9741): " + e.displayText();
    return std::nullopt;
  }
}

std::optional<Poco::Net::ServerSocket> bind_unix_socket(const std::string& path, const std::string& group,
                                                        std::string& error) {
  std::optional<gid_t> gid;
  if (!group.empty() && !(gid = group_id(group, error))) return std::nullopt;
  if (!clear_socket_path(path, error)) return std::nullopt;
  // Bound under a temporary name, given its mode and group, then renamed into
  // place: no moment exists in which the socket is reachable with the umask's mode.
  const std::string staging = path + ".new";
  ::unlink(staging.c_str());
  Poco::Net::ServerSocket socket;
  try {
    socket.bind(SocketAddress(SocketAddress::UNIX_LOCAL, staging));
    socket.listen(kListenBacklog);
  } catch (const Poco::Exception& e) {
    error = "cannot create API socket " + path + ": " + e.displayText();
    ::unlink(staging.c_str());
    return std::nullopt;
  }
  auto fail = [&](const std::string& what) {
    error = what + " " + path + ": " + errno_text();
    socket.close();
    ::unlink(staging.c_str());
    return std::nullopt;
  };
  if (::chmod(staging.c_str(), 0660) != 0) return fail("cannot set the mode of API socket");
  if (gid && ::chown(staging.c_str(), static_cast<uid_t>(-1), *gid) != 0)
    return fail("cannot give group '" + group + "' to API socket");
  if (::rename(staging.c_str(), path.c_str()) != 0) return fail("cannot move into place API socket");
  return socket;
}

}  // namespace cshield
