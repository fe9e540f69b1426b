#include "source/own_record_filter.h"

#include <string_view>

#include "core/alarm_record_type.h"

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

}  // namespace

std::size_t drop_own_records(std::string& records) {
  static const std::string named = "UNKNOWN[" + std::to_string(kAlarmAuditRecordType) + "]";
  static const std::string number = std::to_string(kAlarmAuditRecordType);
  if (records.find(named) == std::string::npos && records.find("type=" + number) == std::string::npos) return 0;
  std::string kept;
  kept.reserve(records.size());
  std::size_t dropped = 0, pos = 0;
  while (pos < records.size()) {
    auto nl = records.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? records.size() : nl + 1;
    const std::string_view line(records.data() + pos, end - pos);
    const auto type = line_type(line.substr(0, line.find(" msg=")));
    if (type == named || type == number)
      ++dropped;
    else
      kept.append(line);
    pos = end;
  }
  records.swap(kept);
  return dropped;
}

}  // namespace cshield
