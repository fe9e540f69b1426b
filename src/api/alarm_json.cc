#include "api/alarm_json.h"

#include <sstream>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Parser.h>

#include "core/time_format.h"

namespace cshield {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr ordered_object() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Var optional_string(const std::optional<std::string>& s) { return s ? Var(*s) : Var(); }

// Parses stored JSON text; nullopt when it is not valid JSON.
std::optional<Var> parse_json(const std::string& text) {
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(text);
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

Var evidence_value(const std::string& text) {
  auto parsed = parse_json(text);
  if (parsed && parsed->type() == typeid(Object::Ptr)) return *parsed;
  Object::Ptr kept = ordered_object();
  kept->set("unparsed", text);
  return kept;
}

Var findings_value(const std::string& text) {
  auto parsed = parse_json(text);
  if (parsed && parsed->type() == typeid(Array::Ptr)) return *parsed;
  Array::Ptr kept = new Array;
  if (!text.empty() && text != "[]") kept->add(text);
  return kept;
}

Var parsed_object_or_null(const std::string& text) {
  auto parsed = parse_json(text);
  if (parsed && parsed->type() == typeid(Object::Ptr)) return *parsed;
  return Var();
}

Object::Ptr counts_to_json(const std::map<std::string, std::int64_t>& counts) {
  Object::Ptr o = ordered_object();
  for (const auto& [key, n] : counts) o->set(key, n);
  return o;
}

Object::Ptr container_ref_to_json(const ContainerInfo& c) {
  Object::Ptr o = ordered_object();
  o->set("id", c.id);
  o->set("name", c.name);
  o->set("image", c.image);
  o->set("runtime", c.runtime);
  o->set("pod", optional_string(c.pod));
  o->set("namespace", optional_string(c.namespace_));
  return o;
}

Object::Ptr process_to_json(const ProcessInfo& p) {
  Object::Ptr o = ordered_object();
  o->set("pid", p.pid);
  o->set("ppid", p.ppid);
  o->set("exe", p.exe);
  o->set("comm", p.comm);
  o->set("cmdline", p.cmdline);
  o->set("uid", p.uid);
  o->set("euid", p.euid);
  o->set("auid", p.auid);
  return o;
}

template <typename Ptr>
std::string stringify(const Ptr& value, unsigned indent) {
  std::ostringstream out;
  if (indent > 0)
    value->stringify(out, indent, static_cast<int>(indent));
  else
    value->stringify(out);
  return out.str();
}

}  // namespace

Object::Ptr alarm_to_json(const Alarm& a) {
  Object::Ptr o = ordered_object();
  o->set("id", a.id);
  o->set("type", a.type);
  o->set("subtype", a.subtype);
  o->set("category", a.category);
  o->set("name", a.name);
  o->set("severity", a.severity);
  o->set("status", a.status);
  o->set("note", a.note);
  o->set("first_seen", format_rfc3339_ms(a.first_seen_ms));
  o->set("last_seen", format_rfc3339_ms(a.last_seen_ms));
  o->set("count", a.count);
  o->set("container", a.container ? Var(container_ref_to_json(*a.container)) : Var());
  o->set("process", process_to_json(a.process));
  o->set("syscall", a.syscall);
  o->set("path", optional_string(a.path));
  o->set("evidence", evidence_value(a.evidence_json));
  Object::Ptr audit = ordered_object();
  audit->set("serial", static_cast<Poco::UInt64>(a.audit_serial));
  audit->set("time", format_rfc3339_ms(a.audit_time_ms));
  o->set("audit", audit);
  o->set("description", a.description);
  o->set("host", a.host.empty() ? Var() : Var(a.host));
  return o;
}

Object::Ptr container_to_json(const ContainerRecord& r) {
  const ContainerInfo& c = r.info;
  Object::Ptr o = ordered_object();
  o->set("id", c.id);
  o->set("runtime", c.runtime);
  o->set("name", c.name);
  o->set("image", c.image);
  o->set("pod", optional_string(c.pod));
  o->set("namespace", optional_string(c.namespace_));
  o->set("first_seen", format_rfc3339_ms(r.first_seen_ms));
  o->set("last_seen", format_rfc3339_ms(r.last_seen_ms));
  o->set("started", r.started_ms ? Var(format_rfc3339_ms(*r.started_ms)) : Var());
  o->set("stopped", r.stopped_ms ? Var(format_rfc3339_ms(*r.stopped_ms)) : Var());
  o->set("running", r.started_ms.has_value() && !r.stopped_ms.has_value());
  o->set("posture", r.posture_json ? parsed_object_or_null(*r.posture_json) : Var());
  o->set("findings", findings_value(r.findings_json));
  o->set("alarm_counts", counts_to_json(r.alarm_counts));
  return o;
}

Object::Ptr summary_to_json(const AlarmSummary& s) {
  Object::Ptr o = ordered_object();
  o->set("total", s.total);
  o->set("by_type", counts_to_json(s.by_type));
  o->set("by_severity", counts_to_json(s.by_severity));
  o->set("by_status", counts_to_json(s.by_status));
  return o;
}

std::string to_json_text(const Object::Ptr& object, unsigned indent) {
  return stringify(object, indent);
}

std::string to_json_text(const Array::Ptr& array, unsigned indent) {
  return stringify(array, indent);
}

}  // namespace cshield
