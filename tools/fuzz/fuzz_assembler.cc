// Arbitrary bytes as audit text through the whole per-event path: assembly
// (auparse feed, in two chunks split where the input says), the skeleton
// pre-filter, every detector, alarm construction. Processes are judged as in
// an unknown container so the detectors run to the end. Assembled as the
// daemon does (a read-only pipeline: fields view auparse's text; fields
// nothing reads withheld from auparse) and as replay does (also leaving
// records unread, and record types no detector reads withheld), in turn.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/config.h"
#include "app/detector_set.h"
#include "app/pipeline.h"
#include "audit/event_assembler.h"
#include "detect/event_facts.h"

namespace {

struct NullSink : cshield::AlarmSink {
  void publish(const cshield::Alarm&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cshield;
  static const auto detectors = build_detectors(Config{});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t split = size ? data[0] % size : 0;
  for (const bool as_replay : {false, true}) {
    Counters counters;
    NullSink sink;
    Pipeline pipeline(detectors, [](ProcessInfo&) -> std::optional<ContainerInfo> { return ContainerInfo{}; }, sink,
                      counters);
    EventAssembler::RecordDemand demand;
    if (as_replay) demand = [&](int type) { return pipeline.reads_record(type); };
    EventAssembler assembler(
        EventAssembler::ReadOnly{}, [&](const AuditEvent& e) { pipeline.on_event(e); }, &counters,
        [&](const AuditEvent& s) { return pipeline.interested(s); }, demand);
    if (as_replay) assembler.set_type_demand([&](int type) { return pipeline.may_read_record(type); });
    assembler.set_unread_fields(fields_nothing_reads);
    assembler.feed(text.substr(0, split));
    assembler.feed(text.substr(split));
    assembler.age_out();
    assembler.flush();
  }
  return 0;
}
