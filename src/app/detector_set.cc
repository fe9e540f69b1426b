#include "app/detector_set.h"

#include "detect/file_escape.h"
#include "detect/high_risk_syscall.h"

namespace cshield {

std::vector<AuditRule> DetectorSet::rules() const {
  std::vector<AuditRule> out;
  for (const auto& d : detectors)
    for (auto& r : d->rules()) out.push_back(std::move(r));
  return out;
}

std::shared_ptr<const DetectorSet> build_detectors(const Config& config) {
  auto set = std::make_shared<DetectorSet>();
  const auto& d = config.detect;
  set->detectors.push_back(std::make_unique<HighRiskSyscallDetector>(
      d.high_risk_syscalls.empty() ? default_high_risk_syscalls() : d.high_risk_syscalls));
  set->detectors.push_back(std::make_unique<FileEscapeDetector>(
      d.file_escape_paths.empty() ? default_file_escape_paths() : d.file_escape_paths));
  return set;
}

}  // namespace cshield
