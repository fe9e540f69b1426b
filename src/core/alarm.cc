#include "core/alarm.h"

#include <array>
#include <functional>
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

std::array<std::string_view, 6> Alarm::fold_key_parts() const {
  return {type, subtype, container ? std::string_view(container->id) : std::string_view(), process.exe, syscall,
          path ? std::string_view(*path) : std::string_view()};
}

std::string Alarm::fold_key() const {
  std::string k;
  k.reserve(128);
  const auto parts = fold_key_parts();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) k.push_back('\x1f');
    k.append(parts[i]);
  }
  return k;
}

std::size_t Alarm::fold_key_hash() const {
  std::size_t h = 0;
  for (const std::string_view part : fold_key_parts())
    h ^= std::hash<std::string_view>{}(part) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
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
  a.add_title_suffix(title_suffix);
  return a;
}

void Alarm::add_title_suffix(std::string_view suffix) {
  if (!suffix.empty()) name.append(": ").append(suffix);
}

}  // namespace cshield
