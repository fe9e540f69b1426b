// The exporters a configuration asks for, each a QueuedExporter with its own
// queue and thread, and the fan-out that feeds them. Build, add() to the
// daemon's sink, start(), stop(). reopen() (SIGHUP) and status() are
// thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>

#include "alarm/fan_out_sink.h"
#include "core/counters.h"
#include "export/queued_exporter.h"

namespace cshield {

struct ExportOptions {
  bool audit = false;             // user records into the kernel audit stream
  std::string syslog;             // udp://host:port or tcp://host:port; empty: off
  std::string syslog_format = "cef";  // cef | json
  std::string jsonl;              // file path; empty: off
  std::string product_version;    // CEF header
  QueuedExporterOptions queue;
};

class ExporterSet {
 public:
  // Throws std::invalid_argument for a malformed syslog address.
  ExporterSet(const ExportOptions& options, Counters& counters);
  ~ExporterSet();

  // Every exporter as one sink (nothing configured: a sink that does nothing).
  AlarmSink& sink() { return fan_out_; }
  void start();
  void stop();
  void reopen();
  std::vector<ExporterStatus> status() const;
  // [{"name","target","sent","dropped","retries","depth","failing","last_error"}...]
  Poco::JSON::Array::Ptr status_json() const;
  bool empty() const { return exporters_.empty(); }

 private:
  std::vector<std::unique_ptr<QueuedExporter>> exporters_;
  FanOutSink fan_out_;
};

}  // namespace cshield
