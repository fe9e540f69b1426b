// What enrichment learned from /proc about a container process that just
// executed a program (or runs a fileless one): the executable's SHA-256,
// where its standard streams point, and which sibling processes share a
// pipe with it. Read once, the moment the event is processed; a process that
// is already gone leaves most fields empty and says so. Plain value type.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cshield {

struct ExecutionFacts {
  bool process_gone = false;  // /proc/<pid> no longer existed when read
  // The process had executed another program by the time it was read (a
  // shell exec'ing its last command): nothing below describes the program
  // of the event, so only the fields saying so are set.
  bool superseded = false;
  std::string exe_link;       // readlink /proc/<pid>/exe ("/memfd:x (deleted)"); empty when unreadable

  std::optional<std::string> sha256;  // lower-case hex of the file /proc/<pid>/exe opens
  std::string hash_problem;           // why sha256 is empty ("process gone before it could be read", ...)
  bool hash_cached = false;           // sha256 came from the cache (same device, inode, size, mtime)
  std::string hash_source;            // what was read: "/proc/<pid>/exe", or "/proc/<ppid>/root/<exe>"

  // Standard streams (fds 0, 1, 2) that could be read.
  struct Stream {
    int fd = 0;
    std::string target;   // readlink: "pipe:[123]", "socket:[456]", "/dev/null"
    std::string network;  // for a TCP/UDP socket: "tcp 172.17.0.2:41234 -> 10.0.0.5:4444"; else empty
  };
  std::vector<Stream> streams;

  // A sibling (same parent) sharing a pipe with the process: the writer of
  // the pipe on its stdin, or the reader of the pipe on its stdout.
  struct PipePeer {
    int pid = 0;
    std::string comm;
    std::string cmdline;  // argv joined with spaces
    std::string pipe;     // "pipe:[123]"
  };
  std::vector<PipePeer> stdin_writers;
  std::vector<PipePeer> stdout_readers;

  const Stream* stream(int fd) const {
    for (const auto& s : streams)
      if (s.fd == fd) return &s;
    return nullptr;
  }
};

}  // namespace cshield
