// abnormal_process (ALARMS.md): an execve in a container covered by a policy
// group whose executable is not on the group's process_whitelist. The
// executable is the path the container used (the PATH record of the call,
// made absolute against its working directory), not the host path nor the
// file it resolves to: /bin/ls is /bin/ls even where it is a link to
// busybox. An execution through /proc/self/exe, /proc/<pid>/exe or a
// descriptor (/proc/self/fd/N, /dev/fd/N, fexecve) names nothing: the
// executable the kernel recorded (exe=, the file as the container sees it)
// stands instead. Containers no group covers raise nothing.
//
// Learning mode: while a group's learning_until lies after the event, its
// executions are handed to an ExecLearner instead of alarming, so that a
// whitelist can be proposed from what ran.
//
// The policy is fixed at construction (a policy change builds a new
// detector set). Pure apart from the learner, which the pipeline thread
// calls; it must outlive the detector.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "detect/detector.h"
#include "policy/policy_set.h"

namespace cshield {

class ExecLearner {
 public:
  virtual ~ExecLearner() = default;
  // `path` ran in a container of `group` at `time_ms`. Never throws.
  virtual void learned(const std::string& group, const std::string& path, std::int64_t time_ms) noexcept = 0;
};

// The executable an execve event ran, as the process's container sees it;
// empty when the event does not say.
std::string executed_path(const AuditEvent& event);

class AbnormalProcessDetector : public Detector {
 public:
  AbnormalProcessDetector(std::shared_ptr<const PolicySet> policy, ExecLearner* learner);

  std::string_view type() const override { return "abnormal_process"; }
  // The shared execution rule (event_facts.h exec_rule()); wants() goes by
  // the call, not the key (the kernel keys an event by its first matching rule).
  std::vector<AuditRule> rules() const override;
  bool wants(const AuditEvent& event) const override;
  void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const override;
  bool reads_record(int record_type) const override;

 private:
  std::shared_ptr<const PolicySet> policy_;
  ExecLearner* learner_;
};

}  // namespace cshield
