// Reads, from /proc, what the malicious_program detector judges an
// execution by (ExecutionFacts): the SHA-256 of /proc/<pid>/exe (through
// ExecutableHasher), the targets of fds 0-2 with the TCP/UDP endpoints of a
// socket (from /proc/<pid>/net/{tcp,tcp6,udp,udp6}, the process's own
// network namespace), and the siblings (children of the same parent) that
// write the pipe on its stdin or read the pipe on its stdout.
// All /proc reads go through a FileReader, so tests use a fake tree.
// Single-threaded (the pipeline thread). Never throws.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/audit_event.h"
#include "core/execution_facts.h"
#include "core/process_info.h"
#include "enrich/executable_hasher.h"
#include "enrich/file_reader.h"

namespace cshield {

// A file an execve opened, from its PATH record: the program, or a
// script and its interpreter.
struct ExecutedFile {
  std::uint64_t inode = 0;
  std::string dev;  // "fd:01" (major:minor in hex), as the kernel writes it
};

// The NORMAL items of an event's PATH records.
std::vector<ExecutedFile> executed_files(const AuditEvent& event);

class ProcessInspector {
 public:
  ProcessInspector(const FileReader& files, ExecutableHasher& hasher) : files_(files), hasher_(hasher) {}

  // Whether an event is one to inspect: a successful execve/execveat, or any
  // event of a process whose executable is a memfd or deleted.
  static bool wants(const AuditEvent& event, const ProcessInfo& process);

  // `exe`: the executable the event names (empty: unknown). When
  // /proc/<pid>/exe is another program now, or the process is gone, the
  // facts say so and hold nothing of /proc but a hash read through the
  // process's (or else its parent's) root, /proc/<pid>/root<exe>, and only
  // when that file's device and inode are those of a file the execve opened
  // (`executed`, from its PATH records): the same file, not a guess.
  ExecutionFacts inspect(int pid, int ppid, const std::string& exe = "",
                         const std::vector<ExecutedFile>& executed = {}) const noexcept;

 private:
  void hash_through_root(ExecutionFacts& facts, const std::vector<int>& pids, const std::string& exe,
                         const std::vector<ExecutedFile>& executed) const;

  const FileReader& files_;
  ExecutableHasher& hasher_;
};

// The socket of that inode in /proc/net/{tcp,udp}-format text, as
// "tcp 10.0.0.2:41234 -> 10.0.0.5:4444"; empty when absent. `proto` names
// the table ("tcp", "udp", "tcp6", "udp6"). Exposed for tests.
std::string find_socket_in_net_table(const std::string& table, const std::string& proto, const std::string& inode);

}  // namespace cshield
