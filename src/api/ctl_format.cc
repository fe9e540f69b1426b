#include "api/ctl_format.h"

#include <algorithm>
#include <string>
#include <vector>

#include "api/alarm_json.h"

namespace cshield {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// A value as text: strings as they are, numbers and booleans printed, null "-".
std::string text(const Var& v) {
  if (v.isEmpty()) return "-";
  if (v.type() == typeid(Object::Ptr)) return to_json_text(v.extract<Object::Ptr>());
  if (v.type() == typeid(Array::Ptr)) return to_json_text(v.extract<Array::Ptr>());
  std::string s = v.convert<std::string>();
  return s.empty() ? "-" : s;
}

std::string field(const Object::Ptr& o, const std::string& key) {
  return o && o->has(key) ? text(o->get(key)) : "-";
}

Object::Ptr child(const Object::Ptr& o, const std::string& key) { return o ? o->getObject(key) : nullptr; }

// "2026-11-26T16:50:01.123Z" → "2026-11-26 16:50:01"
std::string short_time(std::string t) {
  if (t.size() >= 19 && t[10] == 'T') {
    t[10] = ' ';
    t.resize(19);
  }
  return t;
}

std::string short_id(const std::string& id) {
  bool hex = id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
  return hex ? id.substr(0, 12) : id;
}

// The container's name, else its short id; "(host)" for host-level alarms.
std::string container_label(const Object::Ptr& c) {
  if (!c) return "(host)";
  std::string name = field(c, "name");
  return name != "-" ? name : short_id(field(c, "id"));
}

// Keeps the end of long cells (the executable's name is at the end of its path).
std::string clip(const std::string& s, std::size_t width = 48) {
  return s.size() <= width ? s : "..." + s.substr(s.size() - (width - 3));
}

// Rows of cells printed in left-aligned columns two spaces apart; the first
// row added is the header, when there is one.
class Table {
 public:
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) widths.resize(std::max(widths.size(), row.size()), 0);
    for (const auto& row : rows_)
      for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    for (const auto& row : rows_) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
      }
      out << line << '\n';
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

void line(std::ostream& out, const std::string& label, const std::string& value) {
  out << "  " << label << std::string(label.size() < 13 ? 13 - label.size() : 1, ' ') << value << '\n';
}

void print_counts(const Object::Ptr& counts, std::ostream& out, const std::string& indent = "  ") {
  if (!counts || counts->size() == 0) {
    out << indent << "-\n";
    return;
  }
  Table t;
  for (const auto& [key, value] : *counts) t.add({indent + key, text(value)});
  t.print(out);
}

void flatten(const std::string& prefix, const Var& v, std::vector<std::pair<std::string, std::string>>& out) {
  if (v.type() == typeid(Object::Ptr)) {
    for (const auto& [key, value] : *v.extract<Object::Ptr>())
      flatten(prefix.empty() ? key : prefix + "." + key, value, out);
  } else {
    out.emplace_back(prefix, text(v));
  }
}

}  // namespace

void print_alarm_table(const Array::Ptr& alarms, std::ostream& out) {
  Table t;
  t.add({"ID", "LAST SEEN (UTC)", "SEVERITY", "TYPE/SUBTYPE", "CONTAINER", "PROCESS", "COUNT", "STATUS"});
  for (std::size_t i = 0; alarms && i < alarms->size(); ++i) {
    Object::Ptr a = alarms->getObject(static_cast<unsigned>(i));
    Object::Ptr p = child(a, "process");
    t.add({field(a, "id"), short_time(field(a, "last_seen")), field(a, "severity"),
           field(a, "type") + "/" + field(a, "subtype"), clip(container_label(child(a, "container")), 32),
           clip(field(p, "exe")) + " (" + field(p, "pid") + ")", field(a, "count"), field(a, "status")});
  }
  t.print(out);
}

void print_alarm(const Object::Ptr& a, std::ostream& out) {
  out << "Alarm " << field(a, "id") << ": " << field(a, "name") << '\n';
  line(out, "type", field(a, "type") + " / " + field(a, "subtype"));
  line(out, "category", field(a, "category"));
  line(out, "severity", field(a, "severity"));
  line(out, "status", field(a, "status"));
  line(out, "note", field(a, "note"));
  line(out, "first seen", field(a, "first_seen"));
  line(out, "last seen", field(a, "last_seen"));
  line(out, "count", field(a, "count"));
  line(out, "host", field(a, "host"));
  if (Object::Ptr c = child(a, "container")) {
    line(out, "container", field(c, "name") + "  id " + field(c, "id"));
    line(out, "image", field(c, "image"));
    line(out, "runtime", field(c, "runtime"));
    if (field(c, "pod") != "-" || field(c, "namespace") != "-")
      line(out, "pod", field(c, "namespace") + "/" + field(c, "pod"));
  } else {
    line(out, "container", "(host)");
  }
  Object::Ptr p = child(a, "process");
  line(out, "process", field(p, "exe") + "  pid " + field(p, "pid") + "  ppid " + field(p, "ppid") + "  comm " +
                           field(p, "comm"));
  line(out, "cmdline", field(p, "cmdline"));
  line(out, "user", "uid " + field(p, "uid") + "  euid " + field(p, "euid") + "  auid " + field(p, "auid"));
  line(out, "syscall", field(a, "syscall"));
  line(out, "path", field(a, "path"));
  Object::Ptr audit = child(a, "audit");
  line(out, "audit event", "serial " + field(audit, "serial") + " at " + field(audit, "time"));
  line(out, "description", field(a, "description"));
  out << "  evidence:\n";
  Object::Ptr evidence = child(a, "evidence");
  std::string pretty = evidence ? to_json_text(evidence, 2) : "-";
  std::size_t start = 0;
  while (start < pretty.size()) {
    std::size_t end = pretty.find('\n', start);
    if (end == std::string::npos) end = pretty.size();
    out << "    " << pretty.substr(start, end - start) << '\n';
    start = end + 1;
  }
}

void print_summary(const Object::Ptr& s, std::ostream& out) {
  out << "Total alarms: " << field(s, "total") << '\n';
  out << "By type:\n";
  print_counts(child(s, "by_type"), out);
  out << "By severity:\n";
  print_counts(child(s, "by_severity"), out);
  out << "By status:\n";
  print_counts(child(s, "by_status"), out);
}

void print_container_table(const Array::Ptr& containers, std::ostream& out) {
  Table t;
  t.add({"ID", "NAME", "IMAGE", "RUNTIME", "LAST SEEN (UTC)", "STATE", "ALARMS", "FINDINGS"});
  for (std::size_t i = 0; containers && i < containers->size(); ++i) {
    Object::Ptr c = containers->getObject(static_cast<unsigned>(i));
    std::int64_t alarms = 0;
    if (Object::Ptr counts = child(c, "alarm_counts"))
      for (const auto& [type, n] : *counts) alarms += n.convert<std::int64_t>();
    Array::Ptr findings = c ? c->getArray("findings") : nullptr;
    t.add({short_id(field(c, "id")), field(c, "name"), clip(field(c, "image"), 40), field(c, "runtime"),
           short_time(field(c, "last_seen")), field(c, "stopped") == "-" ? "running" : "stopped",
           std::to_string(alarms), std::to_string(findings ? findings->size() : 0)});
  }
  t.print(out);
}

void print_container(const Object::Ptr& c, std::ostream& out) {
  out << "Container " << field(c, "name") << '\n';
  line(out, "id", field(c, "id"));
  line(out, "runtime", field(c, "runtime"));
  line(out, "image", field(c, "image"));
  line(out, "pod", field(c, "pod"));
  line(out, "namespace", field(c, "namespace"));
  line(out, "first seen", field(c, "first_seen"));
  line(out, "last seen", field(c, "last_seen"));
  line(out, "started", field(c, "started"));
  line(out, "stopped", field(c, "stopped"));
  if (Object::Ptr p = child(c, "posture")) {
    line(out, "privileged", field(p, "privileged"));
    line(out, "seccomp", field(p, "seccomp"));
    line(out, "no-new-privs", field(p, "no_new_privileges"));
  }
  out << "  startup findings:\n";
  Array::Ptr findings = c ? c->getArray("findings") : nullptr;
  if (!findings || findings->size() == 0) out << "    -\n";
  for (std::size_t i = 0; findings && i < findings->size(); ++i)
    out << "    " << text(findings->get(static_cast<unsigned>(i))) << '\n';
  out << "  alarms by type:\n";
  print_counts(child(c, "alarm_counts"), out, "    ");
}

void print_status(const Object::Ptr& status, std::ostream& out) {
  std::vector<std::pair<std::string, std::string>> rows;
  flatten("", status, rows);
  Table t;
  for (auto& [key, value] : rows) t.add({key, value});
  t.print(out);
}

}  // namespace cshield
