#include "export/cef_format.h"

namespace cshield {

int cef_severity(std::string_view severity) {
  if (severity == "critical") return 10;
  if (severity == "high") return 8;
  if (severity == "medium") return 5;
  if (severity == "low") return 3;
  return 5;
}

std::string cef_escape_header(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string cef_escape_value(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '=': out += "\\="; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_cef(const Alarm& a, std::string_view product_version, std::string_view hostname) {
  std::string out = "CEF:0|cshield|cshield|" + cef_escape_header(product_version) + "|" +
                    cef_escape_header(a.type + "/" + a.subtype) + "|" + cef_escape_header(a.name) + "|" +
                    std::to_string(cef_severity(a.severity)) + "|";
  bool first = true;
  auto ext = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!first) out += ' ';
    first = false;
    out += key;
    out += '=';
    out += cef_escape_value(value);
  };
  auto labelled = [&](std::string_view key, std::string_view label, std::string_view value) {
    if (value.empty()) return;
    ext(key, value);
    ext(std::string(key) + "Label", label);
  };
  if (a.id > 0) ext("externalId", std::to_string(a.id));
  ext("rt", std::to_string(a.last_seen_ms));
  ext("cat", a.category);
  ext("act", "alert");
  ext("cnt", std::to_string(a.count));
  ext("dvchost", hostname);
  if (a.process.pid > 0) ext("spid", std::to_string(a.process.pid));
  ext("sproc", a.process.comm);
  if (a.process.uid >= 0) ext("suid", std::to_string(a.process.uid));
  if (a.path) ext("filePath", *a.path);
  if (a.container) {
    labelled("cs1", "containerId", a.container->id);
    labelled("cs2", "containerName", a.container->name);
    labelled("cs3", "containerImage", a.container->image);
  }
  labelled("cs4", "syscall", a.syscall);
  labelled("cs5", "exe", a.process.exe);
  labelled("cs6", "cmdline", a.process.cmdline);
  if (a.audit_serial) labelled("cn1", "auditSerial", std::to_string(a.audit_serial));
  ext("msg", a.description);
  return out;
}

}  // namespace cshield
