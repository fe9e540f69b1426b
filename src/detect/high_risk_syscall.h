// high_risk_syscall (ALARMS.md): a container process calls a system call on
// the configured list. Raised from the SYSCALL record of cshield's own rule,
// and from SECCOMP records of calls a container's seccomp profile refused
// and logged (evidence.blocked = true). The runtime's own calls are not
// alarms.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "detect/detector.h"

namespace cshield {

inline constexpr const char* kHighRiskSyscallKey = "cshield.high_risk_syscall";

// The default list of ALARMS.md.
std::vector<std::string> default_high_risk_syscalls();

class HighRiskSyscallDetector : public Detector {
 public:
  explicit HighRiskSyscallDetector(std::vector<std::string> syscalls = default_high_risk_syscalls());

  std::string_view type() const override { return "high_risk_syscall"; }
  std::vector<AuditRule> rules() const override;
  bool wants(const AuditEvent& event) const override;
  void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const override;
  bool reads_record(int record_type) const override;

 private:
  std::vector<std::string> syscalls_;
  std::set<std::string, std::less<>> lookup_;
};

}  // namespace cshield
