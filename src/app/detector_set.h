// The enabled detectors, built from the configuration. Immutable once built;
// a reload builds a new set and swaps it in whole.
#pragma once

#include <memory>
#include <vector>

#include "app/config.h"
#include "detect/abnormal_process.h"
#include "detect/detector.h"
#include "policy/policy_set.h"

namespace cshield {

struct DetectorSet {
  std::vector<std::unique_ptr<Detector>> detectors;

  // Every rule every detector asks for, in detector order.
  std::vector<AuditRule> rules() const;
};

// `policy` drives abnormal_process and sensitive_file_access (none: no
// group, so neither raises anything); `learner` receives what learning mode
// sees and must outlive the set.
std::shared_ptr<const DetectorSet> build_detectors(const Config& config,
                                                   std::shared_ptr<const PolicySet> policy = nullptr,
                                                   ExecLearner* learner = nullptr);

}  // namespace cshield
