// The container runtime binaries and API sockets of this host, for the
// vulnerability_escape detector's watches (which must name real host files).
// Reads the filesystem; called when the detectors are built. `node_root` is
// where the node's root filesystem is in cshieldd's mount namespace ([node]
// root, "/" outside a pod): files are looked up under it, symlinks resolved
// as on the node, and every path returned is the node's path.
#pragma once

#include <string>
#include <vector>

#include "detect/vulnerability_escape.h"

namespace cshield {

// Canonical paths (symlinks resolved, each once) of the regular files in the
// usual binary directories named like a runtime: runc, crun, conmon,
// containerd-shim*, ... (runtime_binary_names()).
std::vector<std::string> existing_runtime_binaries(const std::string& node_root = "/");

// Device and inode of each (node) path as PATH records print them; paths
// that cannot be stat()ed are left out.
std::vector<FileIdentity> file_identities(const std::vector<std::string>& paths, const std::string& node_root = "/");

// The default runtime sockets whose directory exists (a socket may be created
// later: the watch follows the name), with that directory canonicalised.
std::vector<std::string> runtime_socket_paths(const std::string& node_root = "/");

}  // namespace cshield
