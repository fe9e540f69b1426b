#include "source/own_record_filter.h"

#include <string_view>
#include <vector>

#include "core/own_record_types.h"

namespace cshield {

namespace {

// The record type of one line: what follows the first "type=" up to a space.
std::string_view line_type(std::string_view line) {
  const auto at = line.find("type=");
  if (at == std::string_view::npos) return {};
  const auto start = at + 5;
  const auto end = line.find(' ', start);
  return line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// Each own type as the kernel spells it ("2199") and as auparse/auditd do
// ("UNKNOWN[2199]"), and the first as it follows "type=".
struct OwnType {
  std::string number, named, typed;
};

const std::vector<OwnType>& own_types() {
  static const std::vector<OwnType> types = [] {
    std::vector<OwnType> out;
    for (const int own : kOwnRecordTypes)
      out.push_back({std::to_string(own), "UNKNOWN[" + std::to_string(own) + "]", "type=" + std::to_string(own)});
    return out;
  }();
  return types;
}

bool is_own_type(std::string_view type) {
  for (const auto& own : own_types())
    if (type == own.number || type == own.named) return true;
  return false;
}

// Whether `records` may hold one of them: a cheap test before the line walk.
bool may_hold_own(const std::string& records) {
  for (const auto& own : own_types())
    if (records.find(own.named) != std::string::npos || records.find(own.typed) != std::string::npos)
      return true;
  return false;
}

}  // namespace

Counter& own_records_counter(Counters& counters) {
  return counters.counter("source.own_records", "cshieldd's own records read back and skipped");
}

std::size_t drop_own_records(std::string& records) {
  if (!may_hold_own(records)) return 0;
  std::string kept;
  kept.reserve(records.size());
  std::size_t dropped = 0, pos = 0;
  while (pos < records.size()) {
    auto nl = records.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? records.size() : nl + 1;
    const std::string_view line(records.data() + pos, end - pos);
    if (is_own_type(line_type(line.substr(0, line.find(" msg=")))))
      ++dropped;
    else
      kept.append(line);
    pos = end;
  }
  records.swap(kept);
  return dropped;
}

}  // namespace cshield
