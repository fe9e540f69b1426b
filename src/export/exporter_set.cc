#include "export/exporter_set.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <stdexcept>

#include "export/audit_channel.h"
#include "export/jsonl_channel.h"
#include "export/syslog_channel.h"

namespace cshield {

ExporterSet::ExporterSet(const ExportOptions& o, Counters& counters) {
  auto add = [&](std::string name, std::string target, std::unique_ptr<ExportChannel> channel) {
    exporters_.push_back(std::make_unique<QueuedExporter>(std::move(name), std::move(target), std::move(channel),
                                                          counters, o.queue));
    fan_out_.add(*exporters_.back());
  };
  if (o.audit) add("audit", "kernel audit", std::make_unique<AuditChannel>());
  if (!o.syslog.empty()) {
    std::string error;
    auto target = parse_syslog_target(o.syslog, error);
    if (!target) throw std::invalid_argument("export.syslog: " + error);
    const auto format = o.syslog_format == "json" ? SyslogChannel::Format::json : SyslogChannel::Format::cef;
    add("syslog", o.syslog, std::make_unique<SyslogChannel>(*target, format, o.product_version));
  }
  if (!o.jsonl.empty()) add("jsonl", o.jsonl, std::make_unique<JsonlChannel>(o.jsonl));
}

ExporterSet::~ExporterSet() { stop(); }

void ExporterSet::start() {
  for (auto& e : exporters_) e->start();
}

void ExporterSet::stop() {
  for (auto& e : exporters_) e->stop();
}

void ExporterSet::reopen() {
  for (auto& e : exporters_) e->request_reopen();
}

std::vector<ExporterStatus> ExporterSet::status() const {
  std::vector<ExporterStatus> out;
  for (const auto& e : exporters_) out.push_back(e->status());
  return out;
}

Poco::JSON::Array::Ptr ExporterSet::status_json() const {
  Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
  for (const auto& s : status()) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("name", s.name);
    o->set("target", s.target);
    o->set("sent", s.sent);
    o->set("dropped", s.dropped);
    o->set("retries", s.retries);
    o->set("depth", s.depth);
    o->set("failing", s.failing);
    o->set("last_error", s.last_error.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s.last_error));
    arr->add(o);
  }
  return arr;
}

}  // namespace cshield
