// cshieldd's lifetime: wires source → assembler → pipeline → store writer and
// the API, loads the audit rules, serves until SIGTERM or SIGINT, reloads on
// SIGHUP, and on the way out removes its rules and puts the kernel's audit
// status back as it found it.
//
// Threads: the reader (drains the source into a bounded queue, nothing else),
// the pipeline (assemble, enrich, detect), the store writer, one per
// configured exporter (export/exporter_set.h), the HTTP
// server's pool, and the calling thread, which waits for signals and polls
// the kernel's status (lost counter) once a second.
// The caller must have blocked SIGTERM, SIGINT and SIGHUP in every thread
// (block_daemon_signals() before any thread starts).
#pragma once

#include <string>

#include "app/config.h"

namespace cshield {

void block_daemon_signals();

// Runs the daemon; returns the process exit status (0 after a clean stop).
int run_daemon(const Config& config);

// The rules cshieldd would load for `config`, in auditctl syntax.
std::string print_rules(const Config& config);

}  // namespace cshield
