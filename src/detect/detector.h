// A detector turns one enriched audit event into zero or more alarms. Pure:
// no I/O, no clock (times come from the event), no global state beyond its
// own configuration. Called from the pipeline thread only.
#pragma once

#include <string_view>
#include <vector>

#include "core/alarm.h"
#include "core/audit_event.h"
#include "core/audit_rule.h"
#include "core/container_info.h"
#include "core/container_posture.h"
#include "core/execution_facts.h"
#include "core/process_info.h"

namespace cshield {

// Whether anything downstream reads the details of an alarm a detector is
// about to raise: its evidence, its description and the suffix of its name
// (Alarm::add_title_suffix). The pipeline answers from its sinks
// (AlarmSink::reads_details): an alarm that only folds into a repeat held
// before it needs none of them. Pipeline thread only.
class DetailDemand {
 public:
  virtual ~DetailDemand() = default;
  // `alarm` as the detector will raise it, without its details: type,
  // subtype, syscall and path set (and container, when the detector sets
  // it). The answer holds for that alarm appended to `out` right after the
  // question, by the same evaluate() call, and for no other alarm.
  virtual bool details_wanted(const Alarm& alarm) const = 0;
};

struct EventContext {
  const AuditEvent& event;
  const ProcessInfo& process;
  const ContainerInfo* container;  // nullptr: a host process
  // A container start the event shows (a runtime's `create`/`run`), not yet
  // judged; nullptr otherwise. Its container is not `container` (the
  // runtime runs on the host): an alarm about it sets Alarm::container.
  const ContainerStart* start = nullptr;
  // The posture of `container` when known; nullptr otherwise.
  const ContainerPosture* posture = nullptr;
  // What /proc showed of the process of an execution event (its
  // executable's hash, standard streams, pipe peers); nullptr when not read.
  const ExecutionFacts* execution = nullptr;
  // Asked through details_wanted(); nullptr: every alarm's details are read.
  const DetailDemand* demand = nullptr;

  // Whether to build `alarm`'s details (see DetailDemand). When not, the
  // detector appends it with evidence "{}", no description and its type's
  // plain name, as make_alarm() made them: nothing downstream reads those.
  bool details_wanted(const Alarm& alarm) const { return !demand || demand->details_wanted(alarm); }
};

class Detector {
 public:
  virtual ~Detector() = default;
  // The alarm type id it raises (ALARMS.md).
  virtual std::string_view type() const = 0;
  // Kernel audit rules it needs; every key starts with kRuleKeyPrefix.
  virtual std::vector<AuditRule> rules() const = 0;
  // Cheap pre-filter, before enrichment: true if evaluate() may raise
  // something for the event (typically: the key is one of its own). It may
  // be given a skeleton event (EventAssembler::Interest): every record's
  // type, and every field of its SYSCALL and SECCOMP records, but no field
  // of any other record. Decide from those alone.
  virtual bool wants(const AuditEvent& event) const = 0;
  // Appends alarms to `out`: type, subtype, name, syscall, path, evidence and
  // description (evidence, description and the name's suffix may be left out
  // when ctx.details_wanted() says so; a detector need not ask). The
  // pipeline then fills in what every alarm shares:
  // container (unless the detector set it), process, first/last seen and
  // the audit serial and time.
  // A start the inventory found at daemon start comes with an empty event
  // (no records), an empty process and no container.
  virtual void evaluate(const EventContext& ctx, std::vector<Alarm>& out) const = 0;
  // Whether wants() or evaluate() reads fields of records of `record_type`
  // (an AUDIT_* number) other than SYSCALL and SECCOMP, whose fields every
  // event has. A record of a type that no detector wanting the event reads
  // may reach evaluate() with its type but without its fields (the pipeline's
  // Pipeline::reads_record for EventAssembler's RecordDemand). The default
  // reads every type: say false only for types the detector never looks into.
  virtual bool reads_record(int record_type) const {
    (void)record_type;
    return true;
  }
};

}  // namespace cshield
