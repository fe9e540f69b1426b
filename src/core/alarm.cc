#include "core/alarm.h"

#include <array>
#include <stdexcept>

namespace cshield {

namespace {
constexpr std::array<AlarmTypeInfo, 8> kTypes{{
    {"vulnerability_escape", "exploit", "Vulnerability escape", "critical"},
    {"file_escape", "exploit", "File escape", "high"},
    {"high_risk_syscall", "abnormal_system_behavior", "High-risk system call", "high"},
    {"malicious_program", "abnormal_system_behavior", "Malicious container program", "critical"},
    {"abnormal_process", "abnormal_system_behavior", "Abnormal container process", "medium"},
    {"sensitive_file_access", "abnormal_system_behavior", "Sensitive file access", "high"},
    {"abnormal_startup", "abnormal_system_behavior", "Abnormal container startup", "medium"},
    // Host-level: about the audit trail itself, not one container.
    {"audit_tampering", "abnormal_system_behavior", "Audit tampering", "high"},
}};
}  // namespace

const AlarmTypeInfo* alarm_type_info(std::string_view type_id) {
  for (const auto& t : kTypes)
    if (t.id == type_id) return &t;
  return nullptr;
}

std::string Alarm::fold_key() const {
  std::string k;
  k.reserve(128);
  const char sep = '\x1f';
  k.append(type).push_back(sep);
  k.append(subtype).push_back(sep);
  k.append(container ? container->id : std::string()).push_back(sep);
  k.append(process.exe).push_back(sep);
  k.append(syscall).push_back(sep);
  k.append(path.value_or(""));
  return k;
}

Alarm make_alarm(std::string_view type_id, std::string subtype, std::string_view title_suffix) {
  const auto* info = alarm_type_info(type_id);
  if (!info) throw std::invalid_argument("unknown alarm type");
  Alarm a;
  a.type = std::string(info->id);
  a.subtype = std::move(subtype);
  a.category = std::string(info->category);
  a.severity = std::string(info->severity);
  a.name = std::string(info->name);
  if (!title_suffix.empty()) a.name.append(": ").append(title_suffix);
  return a;
}

}  // namespace cshield
