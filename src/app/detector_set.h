// The enabled detectors, built from the configuration. Immutable once built;
// a reload builds a new set and swaps it in whole.
#pragma once

#include <memory>
#include <vector>

#include "app/config.h"
#include "detect/detector.h"

namespace cshield {

struct DetectorSet {
  std::vector<std::unique_ptr<Detector>> detectors;

  // Every rule every detector asks for, in detector order.
  std::vector<AuditRule> rules() const;
};

std::shared_ptr<const DetectorSet> build_detectors(const Config& config);

}  // namespace cshield
