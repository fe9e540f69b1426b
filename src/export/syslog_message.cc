#include "export/syslog_message.h"

#include "core/time_format.h"

namespace cshield {

namespace {

constexpr int kFacilityLogAudit = 13;

std::string header_field(std::string_view v, std::size_t max) {
  if (v.empty()) return "-";
  std::string out(v.substr(0, max));
  for (char& c : out)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '_';
  return out;
}

}  // namespace

int syslog_priority(std::string_view severity) {
  int s = 5;
  if (severity == "critical") s = 2;
  else if (severity == "high") s = 3;
  else if (severity == "medium") s = 4;
  return kFacilityLogAudit * 8 + s;
}

std::string rfc5424_message(int priority, std::int64_t time_ms, std::string_view hostname,
                            std::string_view app_name, std::string_view procid, std::string_view msgid,
                            std::string_view msg) {
  std::string out = "<" + std::to_string(priority) + ">1 " + format_rfc3339_ms(time_ms) + " ";
  out += header_field(hostname, 255) + " ";
  out += header_field(app_name, 48) + " ";
  out += header_field(procid, 128) + " ";
  out += header_field(msgid, 32) + " - ";
  out += msg;
  return out;
}

std::string octet_counted(std::string_view message) {
  return std::to_string(message.size()) + " " + std::string(message);
}

}  // namespace cshield
