// The two listening sockets of the API, checked before anything is served.
// Failures are returned as a sentence for the operator; nothing throws.
#pragma once

#include <optional>
#include <string>

#include <Poco/Net/ServerSocket.h>

namespace cshield {

// Binds `listen` ("127.0.0.1:8741", "[::1]:8741", port 0 for an ephemeral
// port). Refuses any address outside 127.0.0.0/8 and ::1: the TCP API is
// loopback only.
std::optional<Poco::Net::ServerSocket> bind_loopback_tcp(const std::string& listen, std::string& error);

// Binds `listen` ("0.0.0.0:9741", "[::]:9741", a node address) on any
// address: for the metrics listener, which serves counters only.
std::optional<Poco::Net::ServerSocket> bind_any_tcp(const std::string& listen, std::string& error);

// Binds a Unix stream socket at `path` with mode 0660 (group `group` when
// not empty) from the first moment it is reachable. A stale socket file is
// replaced; a socket another process still serves, or a file that is not a
// socket, is refused.
std::optional<Poco::Net::ServerSocket> bind_unix_socket(const std::string& path, const std::string& group,
                                                        std::string& error);

}  // namespace cshield
