#include "app/detector_set.h"

#include "app/runtime_paths.h"
#include "enrich/container_start_reader.h"

#include "detect/abnormal_startup.h"
#include "detect/event_facts.h"
#include "detect/file_escape.h"
#include "detect/high_risk_syscall.h"
#include "detect/vulnerability_escape.h"

namespace cshield {

std::vector<AuditRule> DetectorSet::rules() const {
  std::vector<AuditRule> out, executions;
  for (const auto& d : detectors)
    for (auto& r : d->rules()) (r.key == kExecKey ? executions : out).push_back(std::move(r));
  // Last: the kernel keys an event by the first rule it matches, and the
  // specific execve rules (runtime starts, set-uid gains) must keep theirs.
  for (auto& r : executions) out.push_back(std::move(r));
  return out;
}

std::shared_ptr<const DetectorSet> build_detectors(const Config& config) {
  auto set = std::make_shared<DetectorSet>();
  const auto& d = config.detect;
  set->detectors.push_back(std::make_unique<HighRiskSyscallDetector>(
      d.high_risk_syscalls.empty() ? default_high_risk_syscalls() : d.high_risk_syscalls));
  set->detectors.push_back(std::make_unique<FileEscapeDetector>(
      d.file_escape_paths.empty() ? default_file_escape_paths() : d.file_escape_paths));
  VulnerabilityEscapeOptions escape;
  escape.runtime_binaries = existing_runtime_binaries();
  escape.runtime_binary_ids = file_identities(escape.runtime_binaries);
  escape.runtime_sockets = runtime_socket_paths();
  escape.brute_force_threshold = d.brute_force_threshold;
  escape.brute_force_window_seconds = d.brute_force_window_seconds;
  set->detectors.push_back(std::make_unique<VulnerabilityEscapeDetector>(std::move(escape)));
  AbnormalStartupOptions startup;
  startup.policy = config.startup;
  for (const auto& bin : existing_runtime_binaries())
    if (is_oci_runtime_binary(bin)) startup.runtime_binaries.push_back(bin);
  set->detectors.push_back(std::make_unique<AbnormalStartupDetector>(std::move(startup)));
  return set;
}

}  // namespace cshield
