#include "app/replay.h"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <optional>

#include "api/alarm_json.h"
#include "app/config.h"
#include "policy/policy_directory.h"
#include "app/detector_set.h"
#include "alarm/fan_out_sink.h"
#include "alarm/repeat_folder.h"
#include "alarm/store_writer.h"
#include "app/pipeline.h"
#include "audit/event_assembler.h"
#include "core/time_format.h"
#include "detect/event_facts.h"
#include "enrich/container_resolver.h"
#include "enrich/docker_socket_client.h"
#include "enrich/fs_file_reader.h"
#include "source/file_source.h"
#include "store/sqlite_store.h"

namespace cshield {

std::string replay_usage() {
  return "usage: cshieldctl replay [options] FILE|-\n"
         "\n"
         "Runs an audit log (auditd's log format) through cshield's own event\n"
         "assembly and detectors and prints every alarm it raises, one per line.\n"
         "Nothing is stored unless --store is given; kernel audit is not touched.\n"
         "\n"
         "A log does not say which container a process ran in. By default every\n"
         "process is judged as if it ran in an unknown container (\"container\":\n"
         "{\"id\":\"\",\"runtime\":\"unknown\"}), so the log shows everything that\n"
         "would alarm. With --live, containers are resolved against this host's\n"
         "/proc and runtimes, as the daemon does: right for a log being written\n"
         "now, wrong for an old one (pids are reused).\n"
         "\n"
         "options:\n"
         "  --config FILE   detector settings ([detect]) and policy groups ([policy]\n"
         "                  directory) from a cshieldd configuration\n"
         "  --live          resolve containers on this host (see above)\n"
         "  --json          one JSON alarm per line (the API's shape) instead of text\n"
         "  --quiet         print only the summary\n"
         "  --store DB      also store the alarms in the SQLite database DB (created\n"
         "                  if missing; cshieldd's schema, repeats folded), as the\n"
         "                  daemon's writer does; no retention by age\n"
         "\n"
         "The summary (records, events, alarms, time, rate) goes to stderr.\n"
         "\n"
         "examples:\n"
         "  cshieldctl replay /var/log/audit/audit.log\n"
         "  ausearch -k cshield.high_risk_syscall --raw | cshieldctl replay --json -\n";
}

namespace {

class PrintingSink : public AlarmSink {
 public:
  PrintingSink(std::ostream& out, bool json, bool quiet) : out_(out), json_(json), quiet_(quiet) {}
  void publish(const Alarm& a) override {
    ++count_;
    if (quiet_) return;
    if (json_) {
      out_ << to_json_text(alarm_to_json(a)) << "\n";
      return;
    }
    out_ << format_rfc3339_ms(a.last_seen_ms) << "  " << std::left << std::setw(8) << a.severity << " "
         << a.type << "/" << a.subtype << "  container="
         << (a.container ? (a.container->name.empty() ? (a.container->id.empty() ? "unknown" : a.container->id.substr(0, 12))
                                                      : a.container->name)
                         : "host")
         << "  pid=" << a.process.pid << " exe=" << a.process.exe;
    if (!a.syscall.empty()) out_ << " syscall=" << a.syscall;
    if (a.path) out_ << " path=" << *a.path;
    out_ << "  serial=" << a.audit_serial << "\n";
  }
  // The text lines show no evidence, description or name.
  bool reads_details(const Alarm&) const override { return json_ && !quiet_; }
  std::uint64_t count() const { return count_; }

 private:
  std::ostream& out_;
  bool json_, quiet_;
  std::uint64_t count_ = 0;
};

}  // namespace

int run_replay(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string file, config_path, store_path;
  bool live = false, json = false, quiet = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << replay_usage();
      return 0;
    } else if (a == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (a == "--store" && i + 1 < args.size()) {
      store_path = args[++i];
    } else if (a == "--live") {
      live = true;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--quiet") {
      quiet = true;
    } else if ((a.empty() || a[0] != '-' || a == "-") && file.empty()) {
      file = a;
    } else {
      err << "cshieldctl replay: unexpected argument '" << a << "'\n\n" << replay_usage();
      return 2;
    }
  }
  if (file.empty()) {
    err << replay_usage();
    return 2;
  }
  Config config;
  if (!config_path.empty()) {
    ConfigLoad l = load_config(config_path);
    for (const auto& e : l.errors) err << e.to_string() << "\n";
    if (!l.config) return 1;
    config = *l.config;
  }

  Counters counters;
  std::unique_ptr<FileSource> source = file == "-" ? std::make_unique<FileSource>(0, "file", &counters)
                                                   : std::make_unique<FileSource>(file, &counters);
  if (!source->is_open()) {
    err << "cshieldctl replay: " << source->error() << "\n";
    return 1;
  }
  FsFileReader files("/");
  DockerSocketClient docker;
  ContainerResolver resolver(files, &docker, &counters);
  Pipeline::Resolve resolve;
  if (live) {
    resolve = [&](ProcessInfo& p) { return resolver.resolve(p); };
  } else {
    resolve = [](ProcessInfo&) -> std::optional<ContainerInfo> {
      ContainerInfo unknown;
      unknown.runtime = "unknown";
      return unknown;
    };
  }
  PrintingSink sink(out, json, quiet);
  // Policy groups from the configured directory, so that --live replays judge
  // abnormal_process and sensitive_file_access as the daemon would.
  std::shared_ptr<const PolicySet> policy;
  if (!config_path.empty()) {
    PolicyParse groups = load_policy_directory(config.policy.directory);
    for (const auto& e : groups.errors) err << e.to_string() << "\n";
    if (!groups.ok()) return 1;
    policy = std::make_shared<const PolicySet>(std::move(groups.groups));
  }
  FanOutSink sinks;
  sinks.add(sink);
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<StoreWriter> store_writer;
  // A log's alarm storm replays in a second: its repeats fold here, into
  // the rows the store would have folded them into one by one, instead of
  // each crossing to the writer thread.
  std::unique_ptr<RepeatFolder> folder;
  if (!store_path.empty()) {
    StoreOptions opts;
    opts.retention_days = 0;  // a log's alarms are as old as the log
    opts.max_alarms = config.storage.max_alarms;
    opts.fold_window_ms = config.storage.fold_window_seconds * 1000;
    try {
      store = std::make_unique<SqliteStore>(store_path, opts);
    } catch (const std::exception& e) {
      err << "cshieldctl replay: " << e.what() << "\n";
      return 1;
    }
    store_writer = std::make_unique<StoreWriter>(*store, counters);
    store_writer->start();
    folder = std::make_unique<RepeatFolder>(*store_writer, opts.fold_window_ms);
    sinks.add(*folder);
  }
  Pipeline pipeline(build_detectors(config, {nullptr, policy, nullptr}), resolve, sinks, counters);
  EventAssembler assembler(EventAssembler::ReadOnly{}, [&](const AuditEvent& e) { pipeline.on_event(e); }, &counters,
                           [&](const AuditEvent& skeleton) { return pipeline.interested(skeleton); },
                           [&](int record_type) { return pipeline.reads_record(record_type); });
  assembler.set_type_demand([&](int record_type) { return pipeline.may_read_record(record_type); });
  assembler.set_unread_fields(fields_nothing_reads);

  const auto start = std::chrono::steady_clock::now();
  std::string chunk;
  while (source->read(chunk)) {
    assembler.feed(chunk);
    chunk.clear();
  }
  assembler.flush();
  if (folder) folder->flush();
  if (store_writer) store_writer->stop();  // writes what is queued
  if (!source->error().empty()) {
    err << "cshieldctl replay: " << source->error() << "\n";
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  err << "replayed " << assembler.records() << " records in " << assembler.events() << " events: " << sink.count()
      << " alarms in " << std::fixed << std::setprecision(3) << secs << " s ("
      << std::setprecision(0) << (secs > 0 ? assembler.records() / secs : 0) << " records/s); serial gaps "
      << assembler.serial_gaps();
  if (store_writer) {
    std::uint64_t written = 0, failures = 0;
    for (const auto& c : counters.snapshot()) {
      if (c.name == "store.alarms_written") written = c.value;
      if (c.name == "store.write_failures") failures = c.value;
    }
    err << "; stored " << written << " row writes in " << store_path;
    if (failures) err << " (" << failures << " failed batches)";
  }
  err << "\n";
  return 0;
}

}  // namespace cshield
