#include "export/audit_record_text.h"

namespace cshield {

namespace {

bool needs_hex(std::string_view v) {
  for (unsigned char c : v)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'') return true;
  return false;
}

}  // namespace

std::string audit_field(std::string_view name, std::string_view value) {
  std::string out(name);
  out += '=';
  if (value.empty()) return out + "?";
  if (!needs_hex(value)) return out + "\"" + std::string(value) + "\"";
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : value) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string audit_record_text(const Alarm& a) {
  const ContainerInfo none;
  const ContainerInfo& c = a.container ? *a.container : none;
  std::string out = "op=cshield-alarm";
  auto field = [&](std::string_view name, std::string_view value) { out += " " + audit_field(name, value); };
  field("alarm_type", a.type);
  field("alarm_subtype", a.subtype);
  field("alarm_severity", a.severity);
  field("alarm_category", a.category);
  field("container_id", c.id);
  field("container_name", c.name);
  field("container_image", c.image);
  out += " alarm_pid=" + std::to_string(a.process.pid);
  field("alarm_exe", a.process.exe);
  field("alarm_syscall", a.syscall);
  field("alarm_path", a.path ? *a.path : std::string());
  out += " alarm_count=" + std::to_string(a.count);
  out += " alarm_serial=" + std::to_string(a.audit_serial);
  field("alarm_host", a.host);
  out += " alarm_id=" + (a.id > 0 ? std::to_string(a.id) : std::string("?"));
  return out;
}

}  // namespace cshield
