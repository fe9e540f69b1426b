// The enabled detectors, built from the configuration. Immutable once built;
// a reload builds a new set and swaps it in whole.
#pragma once

#include <memory>
#include <vector>

#include "app/config.h"
#include "detect/abnormal_process.h"
#include "detect/detector.h"
#include "detect/signature_db.h"
#include "policy/policy_set.h"

namespace cshield {

struct DetectorSet {
  std::vector<std::unique_ptr<Detector>> detectors;

  // Every rule every detector asks for, in detector order.
  std::vector<AuditRule> rules() const;
};

// What the detectors judge by besides the configuration: the malicious-
// program signature database in force (null: none; loading its file is the
// caller's), the policy groups driving abnormal_process and
// sensitive_file_access (null: no group, so neither raises anything), and
// the learner that receives what learning mode sees (must outlive the set).
struct DetectorInputs {
  std::shared_ptr<const SignatureDb> signatures;
  std::shared_ptr<const PolicySet> policy;
  ExecLearner* learner = nullptr;
};
std::shared_ptr<const DetectorSet> build_detectors(const Config& config, DetectorInputs inputs = {});

}  // namespace cshield
