// An alarm as the detectors raise it and the store keeps it. Plain value type.
// Type ids, categories, names and severities are the contract of ALARMS.md;
// `alarm_type_info` is the one place that spells them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/container_info.h"
#include "core/process_info.h"

namespace cshield {

struct AlarmTypeInfo {
  std::string_view id;        // high_risk_syscall
  std::string_view category;  // abnormal_system_behavior
  std::string_view name;      // High-risk system call
  std::string_view severity;  // high
};

// nullptr for an unknown type id.
const AlarmTypeInfo* alarm_type_info(std::string_view type_id);

struct Alarm {
  std::int64_t id = 0;  // assigned by the store
  std::string type, subtype, category, name, severity;
  std::string status = "unhandled";  // unhandled | handled | ignored
  std::string note;
  std::int64_t first_seen_ms = 0, last_seen_ms = 0;
  std::int64_t count = 1;
  std::optional<ContainerInfo> container;  // empty only for host-level alarms (replay --host)
  ProcessInfo process;
  std::string syscall;                 // empty when not a syscall alarm
  std::optional<std::string> path;
  std::string evidence_json = "{}";    // a JSON object, type-specific
  std::uint64_t audit_serial = 0;
  std::int64_t audit_time_ms = 0;
  std::string description;
  std::string host;  // the node that raised it ([node] name or the host name); empty in replays

  // Repeats with an equal fold key fold into one row (API.md: same type,
  // subtype, container, executable, syscall/path). fold_key_parts() are
  // those parts in order (an absent container or path reads as empty),
  // valid while the alarm is; fold_key() is them joined by '\x1f'.
  std::array<std::string_view, 6> fold_key_parts() const;
  std::string fold_key() const;
  // A hash of fold_key_parts(), without building the text.
  std::size_t fold_key_hash() const;
  // Whether `other` has an equal fold key, without building the texts.
  bool same_fold_key(const Alarm& other) const { return fold_key_parts() == other.fold_key_parts(); }

  // Appends ": " and `suffix` to the name, unless `suffix` is empty
  // ("High-risk system call" -> "High-risk system call: ptrace").
  void add_title_suffix(std::string_view suffix);
};

// A new alarm of a known type with category, name and severity filled in;
// `title_suffix` is appended to the type name ("High-risk system call: ptrace").
Alarm make_alarm(std::string_view type_id, std::string subtype, std::string_view title_suffix);

}  // namespace cshield
