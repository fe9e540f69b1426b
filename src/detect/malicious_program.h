// malicious_program (ALARMS.md): a container process is a known malicious
// program. Subtypes, one alarm each when several match:
// - fingerprint: the SHA-256 of the executed file (ExecutionFacts, read
//   through /proc/<pid>/exe) is in the signature database;
// - miner: a crypto-miner's name (xmrig and kin, matched whole: xmrig-docs
//   is not one), `--donate-level`, or an option whose value is a
//   stratum URL (`-o stratum+tcp://...`);
// - reverse_shell: a shell whose stdin or stdout is a TCP/UDP socket (from
//   /proc; unix sockets do not count), `nc -e`/`ncat --sh-exec`, a shell
//   command naming /dev/tcp/ or /dev/udp/, socat exec: with a network
//   address;
// - fileless: the executable is a memfd or a deleted file (any audited
//   event of such a process, not only its execve);
// - shm_exec: the executable lies in /dev/shm;
// - download_execute: a downloader piped into a shell, seen in the command
//   line (`curl URL | sh`, `bash <(wget -O- URL)`) or between siblings
//   sharing a pipe (/proc: a shell whose stdin pipe a curl/wget writes, or
//   a curl/wget whose stdout pipe a shell reads).
// Host processes and the container runtime's own processes raise nothing.
// Executions are the successful execve/execveat calls, whichever rule logged
// them (the shared exec rule of event_facts.h, key cshield.exec).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "detect/detector.h"
#include "detect/signature_db.h"

namespace cshield {

class MaliciousProgramDetector : public Detector {
 public:
  // `signatures` may be null (no signature database: no fingerprint alarms).
  explicit MaliciousProgramDetector(std::shared_ptr<const SignatureDb> signatures);

  std::string_view type() const override { return "malicious_program"; }
  std::vector<AuditRule> rules() const override;
  bool wants(const AuditEvent& event) const override;
  void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const override;
  bool reads_record(int record_type) const override;

 private:
  std::shared_ptr<const SignatureDb> signatures_;
};


}  // namespace cshield
