#include "app/detector_set.h"

#include <algorithm>

#include "app/runtime_paths.h"
#include "enrich/container_start_reader.h"

#include "detect/abnormal_process.h"
#include "detect/abnormal_startup.h"
#include "detect/event_facts.h"
#include "detect/file_escape.h"
#include "detect/high_risk_syscall.h"
#include "detect/malicious_program.h"
#include "detect/sensitive_file_access.h"
#include "detect/vulnerability_escape.h"

namespace cshield {

std::vector<AuditRule> DetectorSet::rules() const {
  std::vector<AuditRule> out, executions;
  for (const auto& d : detectors)
    for (auto& r : d->rules()) {
      if (r.key != kExecKey)
        out.push_back(std::move(r));
      else if (std::find(executions.begin(), executions.end(), r) == executions.end())
        executions.push_back(std::move(r));  // several detectors share the one rule
    }
  // Last: the kernel keys an event by the first rule it matches, and the
  // specific execve rules (runtime starts, set-uid gains) must keep theirs.
  for (auto& r : executions) out.push_back(std::move(r));
  return out;
}

std::shared_ptr<const DetectorSet> build_detectors(const Config& config, DetectorInputs inputs) {
  auto set = std::make_shared<DetectorSet>();
  const auto& d = config.detect;
  set->detectors.push_back(std::make_unique<HighRiskSyscallDetector>(
      d.high_risk_syscalls.empty() ? default_high_risk_syscalls() : d.high_risk_syscalls));
  set->detectors.push_back(std::make_unique<FileEscapeDetector>(
      d.file_escape_paths.empty() ? default_file_escape_paths() : d.file_escape_paths));
  VulnerabilityEscapeOptions escape;
  // Node paths, looked up under the node's root ([node] root).
  const std::string& root = config.node.root;
  escape.runtime_binaries = existing_runtime_binaries(root);
  escape.runtime_binary_ids = file_identities(escape.runtime_binaries, root);
  escape.runtime_sockets = runtime_socket_paths(root);
  escape.brute_force_threshold = d.brute_force_threshold;
  escape.brute_force_window_seconds = d.brute_force_window_seconds;
  set->detectors.push_back(std::make_unique<VulnerabilityEscapeDetector>(std::move(escape)));
  AbnormalStartupOptions startup;
  startup.policy = config.startup;
  for (const auto& bin : existing_runtime_binaries(root))
    if (is_oci_runtime_binary(bin)) startup.runtime_binaries.push_back(bin);
  set->detectors.push_back(std::make_unique<AbnormalStartupDetector>(std::move(startup)));
  // Its exec rule goes last whatever the order (DetectorSet::rules()).
  set->detectors.push_back(std::make_unique<MaliciousProgramDetector>(std::move(inputs.signatures)));
  set->detectors.push_back(std::make_unique<AbnormalProcessDetector>(inputs.policy, inputs.learner));
  set->detectors.push_back(std::make_unique<SensitiveFileAccessDetector>(inputs.policy));
  return set;
}

}  // namespace cshield
