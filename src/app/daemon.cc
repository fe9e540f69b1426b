#include "app/daemon.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "alarm/fan_out_sink.h"
#include "alarm/store_writer.h"
#include "api/api_context.h"
#include "api/api_server.h"
#include "api/prometheus_text.h"
#include "app/detector_set.h"
#include "app/log.h"
#include "app/pipeline.h"
#include "app/startup_watcher.h"
#include "audit/event_assembler.h"
#include "core/bounded_queue.h"
#include "core/counters.h"
#include "core/time_format.h"
#include "enrich/container_resolver.h"
#include "enrich/docker_socket_client.h"
#include "enrich/fs_file_reader.h"
#include "enrich/oci_posture.h"
#include "export/exporter_set.h"
#include "rules/libaudit_control.h"
#include "rules/rule_manager.h"
#include "rules/rule_set.h"
#include "source/audit_mode.h"
#include "source/multicast_source.h"
#include "source/netlink_source.h"
#include "source/file_source.h"
#include "source/own_record_filter.h"
#include "store/container_inventory.h"
#include "store/sqlite_store.h"

namespace cshield {

void block_daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string print_rules(const Config& config) {
  return RuleSet::build(build_detectors(config)->rules(), 0).to_text();
}

namespace {

constexpr std::size_t kRecordQueueChunks = 8192;
// As the audit daemon (netlink mode) the reader waits while this many chunks
// are queued: the kernel's backlog then fills and the kernel applies its
// backlog_wait_time to the processes being audited (as with auditd), instead
// of cshieldd dropping records it already read; and what waits inside
// cshieldd stays small (latency, memory).
constexpr std::size_t kNetlinkQueuedChunks = 64;

// Reads the API token, creating a random one (mode 0600) on first start.
bool load_or_create_token(const std::string& path, std::string& token, std::string& error) {
  std::ifstream in(path);
  if (in) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      error = path + ": the API token file is readable by others (mode " + std::to_string((st.st_mode >> 6) & 7) +
              std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) + "); chmod 600 it";
      return false;
    }
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.size() < 16) {
      error = path + ": the API token is shorter than 16 characters";
      return false;
    }
    return true;
  }
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  token.clear();
  for (int i = 0; i < 32; ++i) {
    unsigned v = rd();
    token.push_back(hex[v & 15]);
    token.push_back(hex[(v >> 4) & 15]);
  }
  const mode_t old = ::umask(077);
  std::ofstream out(path);
  out << token << "\n";
  ::umask(old);
  if (!out) {
    error = path + ": cannot create the API token file: " + std::strerror(errno);
    return false;
  }
  log_info("created a new API token in " + path);
  return true;
}

class Runtime {
 public:
  explicit Runtime(const Config& config) : config_(config) {}
  int run();

 private:
  bool open_store();
  bool start_source();
  void load_rules();
  void remember_found_status();
  std::string found_status_path() const;
  void reader_loop();
  void pipeline_loop();
  void poll_kernel();
  void reload();
  void shutdown();
  Poco::JSON::Object::Ptr status_json();

  Config config_;
  Counters counters_;
  std::unique_ptr<SqliteStore> writer_store_, reader_store_;
  std::unique_ptr<StoreWriter> store_writer_;
  std::unique_ptr<ExporterSet> exporters_;
  FanOutSink alarm_sinks_;  // the store writer, then the exporters
  LibauditControl control_;
  std::unique_ptr<AuditStatusGuard> status_guard_;
  std::unique_ptr<RuleManager> rules_;
  std::size_t rules_loaded_ = 0;
  std::vector<std::string> rule_errors_;
  std::string mode_;
  std::unique_ptr<RecordSource> source_;
  BoundedQueue<std::string> records_{kRecordQueueChunks};
  std::shared_ptr<const DetectorSet> detectors_;
  std::unique_ptr<Pipeline> pipeline_;
  std::thread reader_, pipeline_thread_;
  std::atomic<bool> reader_running_{false}, pipeline_running_{false};
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<ApiContext> api_context_;
  AuditStatus kernel_;
  std::mutex kernel_mu_;
  std::int64_t started_ms_ = now_ms();
  Counter* kernel_lost_ = nullptr;
  Counter* kernel_backlog_ = nullptr;
  Counter* own_records_ = nullptr;
};

bool Runtime::open_store() {
  StoreOptions opts;
  opts.retention_days = config_.storage.retention_days;
  opts.max_alarms = config_.storage.max_alarms;
  opts.fold_window_ms = config_.storage.fold_window_seconds * 1000;
  try {
    writer_store_ = std::make_unique<SqliteStore>(config_.storage.database, opts);
    reader_store_ = std::make_unique<SqliteStore>(config_.storage.database, opts);
  } catch (const std::exception& e) {
    log_error(std::string("cannot open the alarm database: ") + e.what());
    return false;
  }
  store_writer_ = std::make_unique<StoreWriter>(*writer_store_, counters_);
  alarm_sinks_.add(*store_writer_);
  ExportOptions exports;
  exports.audit = config_.exporting.audit;
  exports.syslog = config_.exporting.syslog;
  exports.syslog_format = config_.exporting.syslog_format;
  exports.jsonl = config_.exporting.jsonl;
  exports.queue.queue_capacity = static_cast<std::size_t>(config_.exporting.queue_size);
  exports.product_version = CSHIELD_VERSION;
  try {
    exporters_ = std::make_unique<ExporterSet>(exports, counters_);
  } catch (const std::exception& e) {
    log_error(e.what());
    return false;
  }
  alarm_sinks_.add(exporters_->sink());
  return true;
}

bool Runtime::start_source() {
  std::string error;
  mode_ = config_.audit.mode;
  if (mode_ == "auto") {
    mode_ = detect_audit_mode(control_, error);
    if (mode_.empty()) {
      log_error("cannot read the kernel's audit status: " + error +
                " (cshieldd needs root, or CAP_AUDIT_CONTROL and CAP_AUDIT_READ)");
      return false;
    }
    log_info("audit mode auto: " + std::string(mode_ == "netlink" ? "no audit daemon is registered, reading as the audit daemon"
                                                                  : "an audit daemon is registered, reading beside it (multicast)"));
  }
  if (mode_ == "plugin") {
    source_ = std::make_unique<FileSource>(0, "plugin", &counters_);
  } else if (mode_ == "netlink") {
    status_guard_ = std::make_unique<AuditStatusGuard>(control_);
    if (auto r = status_guard_->save(); !r.ok()) {
      log_error("cannot read the kernel's audit status: " + r.error());
      return false;
    }
    remember_found_status();
    NetlinkSourceOptions o;
    o.backlog_limit = config_.audit.backlog_limit;
    o.backlog_wait_time = config_.audit.backlog_wait_time;
    o.counters = &counters_;
    auto src = std::make_unique<NetlinkSource>(o);
    if (auto r = src->start(); !r.ok()) {
      log_error(r.error());
      return false;
    }
    if (status_guard_->saved().enabled == 2) {
      log_error("kernel audit is locked (enabled 2): rules cannot be changed until reboot");
      src->stop();
      return false;
    }
    if (status_guard_->saved().enabled != 1) {
      if (auto r = control_.set_enabled(1); !r.ok()) {
        log_error("cannot enable kernel audit: " + r.error());
        src->stop();
        return false;
      }
    }
    source_ = std::move(src);
  } else {
    MulticastSourceOptions o;
    o.counters = &counters_;
    auto src = std::make_unique<MulticastSource>(o);
    if (auto r = src->start(); !r.ok()) {
      log_error(r.error());
      return false;
    }
    source_ = std::move(src);
  }
  log_info("reading audit records in " + mode_ + " mode");
  return true;
}

// The audit status cshieldd found is kept beside the database until a clean
// stop restores it, so a run after a crash (kill -9, power loss) restores
// what the crashed run found, not the crashed run's own settings.
void Runtime::remember_found_status() {
  const std::string path = found_status_path();
  std::ifstream in(path);
  AuditStatus earlier;
  if (in >> earlier.enabled >> earlier.backlog_limit >> earlier.backlog_wait_time) {
    status_guard_->adopt(earlier);
    log_warn("an earlier cshieldd did not stop cleanly; on stop the audit status it found is restored (enabled " +
             std::to_string(earlier.enabled) + ", backlog_limit " + std::to_string(earlier.backlog_limit) +
             ", backlog_wait_time " + std::to_string(earlier.backlog_wait_time) + ")");
    return;
  }
  const AuditStatus& found = status_guard_->saved();
  std::ofstream out(path, std::ios::trunc);
  out << found.enabled << " " << found.backlog_limit << " " << found.backlog_wait_time << "\n";
  if (!out) log_warn("cannot write " + path + ": after a crash the audit status could not be restored");
}

std::string Runtime::found_status_path() const { return config_.storage.database + ".audit-status"; }

void Runtime::load_rules() {
  rules_ = std::make_unique<RuleManager>(control_);
  const RuleSet set = RuleSet::build(detectors_->rules(), static_cast<int>(::getpid()));
  for (const auto& w : set.warnings()) log_warn("rules: " + w);
  const ApplyReport report = rules_->apply(set);
  rule_errors_ = report.errors;
  rules_loaded_ = report.added;
  for (const auto& e : report.errors) log_warn("rule not loaded: " + e);
  log_info("loaded " + std::to_string(report.added) + " audit rules" +
           (report.removed ? " (removed " + std::to_string(report.removed) + " left over from an earlier run)" : ""));
}

void Runtime::reader_loop() {
  const bool backpressure = mode_ == "netlink";
  std::string chunk;
  while (source_->read(chunk)) {
    if (chunk.empty()) continue;
    bool queued = false;
    if (backpressure) {
      while (!(queued = records_.push_for(chunk, std::chrono::milliseconds(200), kNetlinkQueuedChunks)))
        if (!pipeline_running_) break;  // nobody will take it
    }
    if (!queued) records_.try_push(std::move(chunk));  // dropped and counted when full
    chunk.clear();
  }
  reader_running_ = false;
  records_.close();
}

void Runtime::pipeline_loop() {
  FsFileReader files("/");
  DockerSocketClient docker;
  ContainerResolver resolver(files, &docker, &counters_);
  pipeline_ = std::make_unique<Pipeline>(
      detectors_, [&](ProcessInfo& p) { return resolver.resolve(p); }, alarm_sinks_, counters_);
  ContainerStartReader starts(files, capabilities_of_status(files.read("/proc/self/status").value_or("")));
  std::unique_ptr<ContainerInventory> inventory;
  try {
    inventory = std::make_unique<ContainerInventory>(config_.storage.database);
  } catch (const std::exception& e) {
    log_warn(std::string("container inventory unavailable: ") + e.what());
  }
  StartupWatcher watcher(starts, inventory.get(), counters_);
  pipeline_->set_observer([&](const AuditEvent& e, const ProcessInfo& p, const ContainerInfo* c) {
    return watcher.observe(e, p, c);
  });
  for (const auto& start : watcher.inventory(now_ms())) pipeline_->on_start(start, start.started_ms);
  EventAssembler assembler([&](AuditEvent&& e) { pipeline_->on_event(e); }, &counters_,
                           [&](const AuditEvent& skeleton) { return pipeline_->interested(skeleton); });
  auto next_age = std::chrono::steady_clock::now();
  while (true) {
    auto chunk = records_.pop_for(std::chrono::milliseconds(250));
    if (chunk) {
      own_records_->add(drop_own_records(*chunk));
      assembler.feed(*chunk);
    } else if (!reader_running_ && records_.size() == 0) {
      break;
    }
    if (std::chrono::steady_clock::now() >= next_age) {
      assembler.age_out();
      next_age = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    }
  }
  assembler.flush();
  pipeline_running_ = false;
}

void Runtime::poll_kernel() {
  AuditStatus s;
  if (control_.status(s).ok()) {
    std::lock_guard<std::mutex> lock(kernel_mu_);
    kernel_ = s;
    kernel_lost_->set(s.lost);
    kernel_backlog_->set(s.backlog);
  }
}

Poco::JSON::Object::Ptr Runtime::status_json() {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("version", CSHIELD_VERSION);
  o->set("mode", mode_);
  o->set("started", format_rfc3339_ms(started_ms_));
  o->set("pipeline_running", pipeline_running_.load());
  o->set("reader_running", reader_running_.load());
  {
    std::lock_guard<std::mutex> lock(kernel_mu_);
    Poco::JSON::Object::Ptr k = new Poco::JSON::Object;
    k->set("enabled", kernel_.enabled);
    k->set("pid", kernel_.pid);
    k->set("backlog", kernel_.backlog);
    k->set("backlog_limit", kernel_.backlog_limit);
    k->set("backlog_wait_time", kernel_.backlog_wait_time);
    k->set("lost", kernel_.lost);
    k->set("failure", kernel_.failure);
    o->set("kernel", k);
  }
  Poco::JSON::Object::Ptr rules = new Poco::JSON::Object;
  rules->set("loaded", rules_loaded_);
  Poco::JSON::Array::Ptr errs = new Poco::JSON::Array;
  for (const auto& e : rule_errors_) errs->add(e);
  rules->set("errors", errs);
  o->set("rules", rules);
  Poco::JSON::Object::Ptr queues = new Poco::JSON::Object;
  Poco::JSON::Object::Ptr rq = new Poco::JSON::Object;
  rq->set("depth", records_.size());
  rq->set("capacity", records_.capacity());
  rq->set("high_water", records_.high_water());
  rq->set("dropped", records_.dropped());
  queues->set("records", rq);
  Poco::JSON::Object::Ptr aq = new Poco::JSON::Object;
  aq->set("depth", store_writer_->depth());
  queues->set("alarms", aq);
  o->set("queues", queues);
  try {
    o->set("alarms_stored", reader_store_->alarm_count());
  } catch (const std::exception&) {
    o->set("alarms_stored", Poco::Dynamic::Var());
  }
  o->set("exporters", exporters_->status_json());
  Poco::JSON::Object::Ptr counters = new Poco::JSON::Object;
  for (const auto& s : counters_.snapshot()) counters->set(s.name, s.value);
  o->set("counters", counters);
  return o;
}

void Runtime::reload() {
  log_info("SIGHUP: reloading " + config_.path);
  ConfigLoad l = load_config(config_.path);
  for (const auto& w : l.warnings) log_warn(w.to_string());
  if (!l.config) {
    for (const auto& e : l.errors) log_error(e.to_string());
    log_error("the new configuration has errors; the running one stays in force");
    return;
  }
  const Config& next = *l.config;
  if (next.audit.mode != config_.audit.mode || next.storage.database != config_.storage.database ||
      next.api.socket != config_.api.socket || next.api.listen != config_.api.listen)
    log_warn("audit.mode, storage.database and the api addresses take effect at the next start");
  exporters_->reopen();
  if (next.exporting.audit != config_.exporting.audit || next.exporting.syslog != config_.exporting.syslog ||
      next.exporting.syslog_format != config_.exporting.syslog_format || next.exporting.jsonl != config_.exporting.jsonl ||
      next.exporting.queue_size != config_.exporting.queue_size)
    log_warn("export settings take effect at the next start; the JSON Lines file is reopened now");
  config_.detect = next.detect;
  detectors_ = build_detectors(config_);
  pipeline_->set_detectors(detectors_);
  load_rules();
}

void Runtime::shutdown() {
  if (api_) api_->stop();
  if (rules_) {
    if (auto r = rules_->remove_all(); !r.ok()) log_error("removing audit rules: " + r.error());
  }
  if (status_guard_) {
    if (auto r = status_guard_->restore(); !r.ok())
      log_error("restoring the audit status: " + r.error());
    else
      ::unlink(found_status_path().c_str());
  }
  if (source_) source_->stop();
  if (reader_.joinable()) reader_.join();
  records_.close();
  if (pipeline_thread_.joinable()) pipeline_thread_.join();
  if (store_writer_) store_writer_->stop();
  if (exporters_) exporters_->stop();
}

int Runtime::run() {
  kernel_lost_ = &counters_.gauge("kernel.lost", "records the kernel lost (its lost counter)");
  kernel_backlog_ = &counters_.gauge("kernel.backlog", "records waiting in the kernel's audit backlog");
  own_records_ = &counters_.counter("source.own_records", "cshieldd's own alarm records read back and skipped");
  counters_.gauge_fn("queue.records.depth", "record chunks waiting for the pipeline", [this] { return records_.size(); });
  counters_.gauge_fn("queue.records.dropped", "record chunks dropped because the pipeline queue was full",
                     [this] { return records_.dropped(); });

  if (!open_store()) return 1;
  detectors_ = build_detectors(config_);

  std::string token;
  if (!config_.api.listen.empty()) {
    std::string error;
    if (!load_or_create_token(config_.api.token_file, token, error)) {
      log_error(error);
      return 1;
    }
  }

  if (!start_source()) return 1;
  poll_kernel();
  load_rules();

  store_writer_->start();
  exporters_->start();
  pipeline_running_ = reader_running_ = true;  // before the threads, so health never flickers
  pipeline_thread_ = std::thread([this] { pipeline_loop(); });
  reader_ = std::thread([this] { reader_loop(); });

  api_context_ = std::make_unique<ApiContext>(ApiContext{
      *reader_store_, [this] { return status_json(); },
      [this] { return pipeline_running_.load() && reader_running_.load(); },
      [this] { return prometheus_text(counters_); }});
  ApiOptions api_options;
  api_options.socket_path = config_.api.socket;
  api_options.socket_group = config_.api.socket_group;
  api_options.listen = config_.api.listen;
  api_options.token = token;
  api_ = std::make_unique<ApiServer>(*api_context_, api_options);
  std::string error;
  if (!api_->start(error)) {
    log_error("cannot start the API: " + error);
    shutdown();
    return 1;
  }
  log_info("API on " + (config_.api.socket.empty() ? std::string("(no socket)") : config_.api.socket) +
           (config_.api.listen.empty() ? "" : " and http://" + config_.api.listen));

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  int exit_status = 0;
  while (true) {
    timespec one_second{1, 0};
    const int sig = sigtimedwait(&set, nullptr, &one_second);
    if (sig == SIGTERM || sig == SIGINT) {
      log_info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
      break;
    }
    if (sig == SIGHUP) reload();
    poll_kernel();
    if (!reader_running_ && !pipeline_running_ && mode_ == "plugin") {
      log_info("auditd closed the dispatcher's pipe (end of input), stopping");
      break;
    }
    if (!reader_running_ && !pipeline_running_) {
      log_error("the record source ended unexpectedly");
      exit_status = 1;
      break;
    }
  }
  shutdown();
  log_info("stopped; audit rules removed");
  return exit_status;
}

}  // namespace

int run_daemon(const Config& config) {
  Runtime runtime(config);
  return runtime.run();
}

}  // namespace cshield
