// The enabled detectors, built from the configuration. Immutable once built;
// a reload builds a new set and swaps it in whole.
#pragma once

#include <memory>
#include <vector>

#include "app/config.h"
#include "detect/detector.h"
#include "detect/signature_db.h"

namespace cshield {

struct DetectorSet {
  std::vector<std::unique_ptr<Detector>> detectors;

  // Every rule every detector asks for, in detector order.
  std::vector<AuditRule> rules() const;
};

// `signatures`: the malicious-program signature database in force (null:
// none). The configuration names its file; loading it is the caller's.
std::shared_ptr<const DetectorSet> build_detectors(const Config& config,
                                                   std::shared_ptr<const SignatureDb> signatures = nullptr);

}  // namespace cshield
