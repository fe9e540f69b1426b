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
#include "alarm/host_stamp_sink.h"
#include "alarm/kernel_loss_alarm.h"
#include "alarm/repeat_folder.h"
#include "alarm/store_writer.h"
#include "api/api_context.h"
#include "api/api_server.h"
#include "api/prometheus_text.h"
#include "app/detector_set.h"
#include "app/log.h"
#include "app/node_identity.h"
#include "app/pipeline.h"
#include "app/pipeline_work.h"
#include "app/record_queue_bound.h"
#include "app/privilege_check.h"
#include "app/signature_file.h"
#include "app/policy_runtime.h"
#include "app/protected_file_watches.h"
#include "app/startup_watcher.h"
#include "app/watch_updater.h"
#include "audit/event_assembler.h"
#include "core/bounded_queue.h"
#include "core/change_signal.h"
#include "core/counters.h"
#include "core/thread_name.h"
#include "core/time_format.h"
#include "detect/event_facts.h"
#include "enrich/container_resolver.h"
#include "enrich/docker_socket_client.h"
#include "enrich/executable_hasher.h"
#include "enrich/fs_file_opener.h"
#include "enrich/fs_file_reader.h"
#include "enrich/oci_posture.h"
#include "enrich/process_inspector.h"
#include "export/exporter_set.h"
#include "rules/backlog_waker.h"
#include "rules/libaudit_control.h"
#include "rules/rule_manager.h"
#include "rules/rule_set.h"
#include "source/audit_mode.h"
#include "source/multicast_source.h"
#include "source/netlink_source.h"
#include "source/file_source.h"
#include "source/own_record_filter.h"
#include "store/container_inventory.h"
#include "store/policy_store.h"
#include "store/sqlite_reader_pool.h"
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
  return RuleSet::build(build_detectors(config)->rules(), 0, config.node.root).to_text();
}

namespace {

// How often a reader waiting for room looks whether its source must be read
// empty: well inside the few hundred milliseconds before the kernel drops.
constexpr std::chrono::milliseconds kRoomWait{20};

// How long repeats may wait folded on the pipeline's thread (folder_) before
// they go on to the store writer, which gathers them as long again: a
// steady stream of one alarm crosses threads ten times a second, not per event.
constexpr std::chrono::milliseconds kFoldFlush{100};

// Read-only connections of the API's store: as many as a listener has
// worker threads, so that requests read in parallel rather than queue on one.
const std::size_t kApiReadConnections = static_cast<std::size_t>(ApiOptions{}.threads);

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
  explicit Runtime(const Config& config) : config_(config), stamped_sinks_(node_name(config.node.name), alarm_sinks_) {}
  int run();

 private:
  bool open_store();
  bool start_policy();
  void apply_policy(std::shared_ptr<const PolicySet> policy);
  // The detectors for the configuration, signatures and policy in force (under apply_mu_).
  std::shared_ptr<const DetectorSet> make_detectors() const {
    return build_detectors(config_, {signatures_ ? signatures_->current() : nullptr, policy_set_, policy_.get()});
  }
  bool start_source();
  void load_rules();
  void remember_found_status();
  std::string found_status_path() const;
  RecordSource* current_source();
  // Reads the next chunk from `source`, without cshieldd's own records.
  bool read_chunk(RecordSource& source, std::string& chunk);
  void reader_loop();
  void pipeline_loop();
  void rescue_reader();
  void poll_kernel();
  void step_aside_if_replaced();
  void reload();
  void load_signatures();
  void shutdown();
  Poco::JSON::Object::Ptr status_json();
  std::vector<std::string> degraded_reasons() const;

  Config config_;
  Counters counters_;
  std::unique_ptr<SqliteStore> writer_store_;
  std::unique_ptr<SqliteReaderPool> reader_store_;  // the API's
  ChangeSignal alarm_writes_;  // the store writer's commits, for the API's long-poll
  std::unique_ptr<StoreWriter> store_writer_;
  std::unique_ptr<ExporterSet> exporters_;
  // Serialises every use of control_: the main thread's rules and status,
  // and the protected-file watches moved from the pipeline and API threads.
  std::mutex control_mu_;
  // Guards detectors_, policy_set_ and the creation of pipeline_ against
  // policy changes made from API threads.
  std::mutex apply_mu_;
  std::shared_ptr<const PolicySet> policy_set_;
  std::unique_ptr<PolicyStore> policy_store_;
  std::unique_ptr<ProtectedFileWatches> watches_;
  std::unique_ptr<PolicyRuntime> policy_;
  FanOutSink alarm_sinks_;  // the store writer, then the exporters
  HostStampSink stamped_sinks_;  // names the node, then alarm_sinks_
  std::unique_ptr<KernelLossAlarm> loss_alarm_;  // used by the main thread's kernel poll only
  LibauditControl control_;
  std::unique_ptr<AuditStatusGuard> status_guard_;
  std::unique_ptr<RuleManager> rules_;
  std::size_t rules_loaded_ = 0;
  std::vector<std::string> rule_errors_;
  std::string mode_;                       // written by the main thread; status reads it under mode_mu_
  mutable std::mutex mode_mu_;
  Poco::JSON::Object::Ptr mode_change_;    // under mode_mu_: why netlink became multicast
  std::unique_ptr<RecordSource> source_;   // the reader's; swapped under source_mu_
  std::unique_ptr<RecordSource> next_source_, retired_source_;
  std::mutex source_mu_;
  NetlinkSource* netlink_ = nullptr;       // source_ while reading as the audit daemon
  BoundedQueue<std::string> records_{kStalledChunks + kDrainChunks};
  std::shared_ptr<const DetectorSet> detectors_;
  std::unique_ptr<SignatureDatabase> signatures_;
  // Repeats folded on the pipeline's thread before they cross to the store
  // writer and the exporters, flushed every kFoldFlush (pipeline_loop()).
  std::unique_ptr<RepeatFolder> folder_;
  std::unique_ptr<Pipeline> pipeline_;
  std::thread reader_, pipeline_thread_;
  std::atomic<bool> reader_running_{false}, pipeline_running_{false};
  // When the pipeline last took a chunk (or found none): steady_clock ticks.
  std::atomic<std::chrono::steady_clock::rep> pipeline_took_{0};
  PipelineWork work_;  // who works each chunk: the pipeline thread, or the reader inline
  Counter* rescued_chunks_ = nullptr;
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<ApiContext> api_context_;
  AuditStatus kernel_;
  std::mutex kernel_mu_;
  std::int64_t started_ms_ = now_ms();
  Counter* kernel_lost_ = nullptr;
  Counter* kernel_backlog_ = nullptr;
  Counter* own_records_ = nullptr;
  Counter* backlog_wakes_ = nullptr;
  BacklogWaker backlog_waker_;  // poll_kernel() only
};

bool Runtime::open_store() {
  StoreOptions opts;
  opts.retention_days = config_.storage.retention_days;
  opts.max_alarms = config_.storage.max_alarms;
  opts.fold_window_ms = config_.storage.fold_window_seconds * 1000;
  try {
    writer_store_ = std::make_unique<SqliteStore>(config_.storage.database, opts);
    reader_store_ = std::make_unique<SqliteReaderPool>(config_.storage.database, opts, kApiReadConnections);
  } catch (const std::exception& e) {
    log_error(std::string("cannot open the alarm database: ") + e.what());
    return false;
  }
  store_writer_ = std::make_unique<StoreWriter>(*writer_store_, counters_);
  store_writer_->set_commit_signal(&alarm_writes_);
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
  store_writer_->set_downstream(&exporters_->sink());  // exports carry the store's alarm id
  loss_alarm_ = std::make_unique<KernelLossAlarm>(stamped_sinks_, counters_);  // host-level: named by the node
  return true;
}

bool Runtime::start_policy() {
  try {
    policy_store_ = std::make_unique<PolicyStore>(config_.storage.database);
  } catch (const std::exception& e) {
    log_error(std::string("cannot open the policy groups in the database: ") + e.what());
    return false;
  }
  watches_ = std::make_unique<ProtectedFileWatches>(
      control_, control_mu_, counters_, [this](const std::string& id, const std::string& group) {
        try {
          policy_store_->set_container_group(id, group);
        } catch (const std::exception& e) {
          log_warn(std::string("container inventory: ") + e.what());
        }
      },
      config_.node.root);
  policy_ = std::make_unique<PolicyRuntime>(
      *policy_store_, config_.policy.directory,
      [this](std::shared_ptr<const PolicySet> set) { apply_policy(std::move(set)); }, [] { return now_ms(); });
  const auto errors = policy_->start();
  for (const auto& e : errors) log_error("policy: " + e.to_string());
  if (!errors.empty())
    log_error("the policy directory " + config_.policy.directory +
              " has errors; the policy groups stored from the last accepted policy stay in force");
  return true;
}

// Called by the PolicyRuntime under its lock, once per accepted change.
void Runtime::apply_policy(std::shared_ptr<const PolicySet> policy) {
  {
    std::lock_guard<std::mutex> lock(apply_mu_);
    policy_set_ = policy;
    detectors_ = make_detectors();
    if (pipeline_) pipeline_->set_detectors(detectors_);
  }
  watches_->set_policy(std::move(policy));
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
    if (mode_ == "multicast" && in_host_network_namespace() == false) {
      log_error("privilege: " + multicast_needs_host_network());
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
    netlink_ = src.get();
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
  std::shared_ptr<const DetectorSet> detectors;
  {
    std::lock_guard<std::mutex> lock(apply_mu_);
    detectors = detectors_;
  }
  const RuleSet set = RuleSet::build(detectors->rules(), static_cast<int>(::getpid()), config_.node.root);
  for (const auto& w : set.warnings()) log_warn("rules: " + w);
  ApplyReport report;
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    rules_ = std::make_unique<RuleManager>(control_);
    report = rules_->apply(set);
  }
  if (watches_) watches_->replace_all();  // apply() removed every cshield rule, the watches too
  rule_errors_ = report.errors;
  rules_loaded_ = report.added;
  for (const auto& e : report.errors) log_warn("rule not loaded: " + e);
  log_info("loaded " + std::to_string(report.added) + " audit rules" +
           (report.removed ? " (removed " + std::to_string(report.removed) + " left over from an earlier run)" : ""));
}

RecordSource* Runtime::current_source() {
  std::lock_guard<std::mutex> lock(source_mu_);
  return source_.get();
}

bool Runtime::read_chunk(RecordSource& source, std::string& chunk) {
  if (!source.read(chunk)) return false;
  if (!source.skips_own_records()) own_records_->add(drop_own_records(chunk));
  return true;
}

void Runtime::reader_loop() {
  const std::chrono::milliseconds read_delay(config_.audit.read_delay_ms);  // fixed until the next start
  std::string chunk;
  std::unique_lock<std::mutex> turn(work_.read_turn());
  while (true) {
    RecordSource* source = current_source();
    while (read_chunk(*source, chunk)) {
      if (chunk.empty()) continue;
      // Each read empties the socket, so working a small chunk before the
      // next read leaves nothing waiting that must be drained at once.
      if (work_.try_inline(chunk, turn)) {
        pipeline_took_ = std::chrono::steady_clock::now().time_since_epoch().count();
        chunk.clear();
        // A light stream: what arrives meanwhile waits in the socket, and
        // the next read takes it in one wake-up (audit.read_delay_ms).
        if (read_delay.count() > 0) std::this_thread::sleep_for(read_delay);
        continue;
      }
      // A full queue slows the reader rather than losing: the kernel holds
      // records back (its backlog, then backlog_wait_time slows the callers).
      // The bound moves with the pipeline's pace (app/record_queue_bound.h).
      // Only a pipeline that has stopped makes the reader drop, counted.
      const auto bound = [&] {
        const auto took = std::chrono::steady_clock::duration(pipeline_took_.load());
        return record_queue_bound(records_.size(), std::chrono::steady_clock::now().time_since_epoch() - took,
                                  [&] { return source->must_drain(); });
      };
      bool pushed = true;
      while (!records_.push_for(chunk, kRoomWait, bound()))
        if (!pipeline_running_) {
          pushed = records_.try_push(std::move(chunk));
          break;
        }
      if (pushed) work_.queued();
      chunk.clear();
    }
    // Ended: a switch to the next source (netlink to multicast), or the end.
    std::lock_guard<std::mutex> lock(source_mu_);
    if (!next_source_) break;
    retired_source_ = std::move(source_);
    source_ = std::move(next_source_);
  }
  reader_running_ = false;
  records_.close();
}

void Runtime::pipeline_loop() {
  FsFileReader files("/");
  DockerSocketClient docker;
  ContainerResolver resolver(files, &docker, &counters_);
  {
    std::lock_guard<std::mutex> lock(apply_mu_);
    folder_ = std::make_unique<RepeatFolder>(stamped_sinks_, config_.storage.fold_window_seconds * 1000,
                                             RepeatFolder::kDefaultMaxHeld,
                                             &counters_.counter("pipeline.folded",
                                                                "repeats folded on the pipeline's thread before the "
                                                                "store writer and the exporters"));
    pipeline_ = std::make_unique<Pipeline>(
        detectors_, [&](ProcessInfo& p) { return resolver.resolve(p); }, *folder_, counters_);
  }
  ContainerStartReader starts(files, capabilities_of_status(files.read("/proc/self/status").value_or("")));
  std::unique_ptr<ContainerInventory> inventory;
  try {
    inventory = std::make_unique<ContainerInventory>(config_.storage.database);
  } catch (const std::exception& e) {
    log_warn(std::string("container inventory unavailable: ") + e.what());
  }
  std::unique_ptr<InventoryWriter> inventory_writer;
  if (inventory) inventory_writer = std::make_unique<InventoryWriter>(*inventory, counters_);
  StartupWatcher watcher(starts, inventory.get(), inventory_writer.get(), counters_);
  FsFileOpener opener("/");
  ExecutableHasher hasher(opener, &counters_);
  ProcessInspector inspector(files, hasher);
  // Off this thread: the kernel may hold a rule change for seconds while its
  // backlog is full, and only this thread's reading drains it (watch_updater.h).
  WatchUpdater watch_updater([this](const ContainerInfo& c) { watches_->started(c); },
                             [this](const std::string& id) { watches_->stopped(id); }, counters_);
  watcher.set_listeners([&](const ContainerStart& s) { watch_updater.started(s.container); },
                        [&](const std::string& id) { watch_updater.stopped(id); });
  pipeline_->set_observer([&](const AuditEvent& e, const ProcessInfo& p, const ContainerInfo* c) {
    Pipeline::Observation seen = watcher.observe(e, p, c);
    // Container executions only: their executable is hashed, their streams read.
    if (c && ProcessInspector::wants(e, p)) seen.execution = inspector.inspect(p.pid, p.ppid, p.exe, executed_files(e));
    return seen;
  });
  for (const auto& start : watcher.inventory(now_ms())) pipeline_->on_start(start, start.started_ms);
  EventAssembler assembler(EventAssembler::ReadOnly{}, [&](const AuditEvent& e) { pipeline_->on_event(e); }, &counters_,
                           [&](const AuditEvent& skeleton) { return pipeline_->interested(skeleton); });
  assembler.set_unread_fields(fields_nothing_reads);
  work_.set([&](const std::string& chunk) { assembler.feed(chunk); });
  using Clock = std::chrono::steady_clock;
  // Runs `work` once `next` has come and the pipeline's turn is free (else
  // at a later wake), then sets `next` `every` from now.
  const auto when_due = [&](Clock::time_point& next, Clock::duration every, const auto& work) {
    if (Clock::now() >= next && work_.try_run(work)) next = Clock::now() + every;
  };
  auto next_age = Clock::now();
  auto next_sweep = Clock::now() + StartupWatcher::kSweepInterval;
  auto next_fold_flush = Clock::now() + kFoldFlush;
  while (true) {
    if (work_.inline_overdue()) rescue_reader();
    auto chunk = records_.pop_for(work_.wait());
    pipeline_took_ = std::chrono::steady_clock::now().time_since_epoch().count();
    if (chunk) {
      work_.work_queued(*chunk);
    } else if (!reader_running_ && records_.size() == 0) {
      break;
    }
    when_due(next_age, std::chrono::milliseconds(500), [&] { assembler.age_out(); });
    when_due(next_sweep, StartupWatcher::kSweepInterval, [&] { watcher.sweep(now_ms()); });
    when_due(next_fold_flush, kFoldFlush, [&] { folder_->flush(); });
  }
  work_.finish([&] {
    assembler.flush();
    folder_->flush();
  });
  pipeline_running_ = false;
}

// The pipeline thread reads in the reader's place while the reader works a
// chunk inline that takes long (app/pipeline_work.h).
void Runtime::rescue_reader() {
  rescued_chunks_->add(work_.rescue_reader([&](std::string& chunk) { return read_chunk(*current_source(), chunk); },
                                           records_, [&] { return current_source()->must_drain(); }));
}

void Runtime::poll_kernel() {
  AuditStatus s;
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    if (!control_.status(s).ok()) return;
  }
  {
    std::lock_guard<std::mutex> lock(kernel_mu_);
    kernel_ = s;
    kernel_lost_->set(s.lost);
    kernel_backlog_->set(s.backlog);
  }
  // As the audit daemon, wake any task the kernel left waiting for backlog
  // room after a burst (rules/backlog_waker.h).
  if (netlink_ && s.pid == static_cast<std::uint32_t>(::getpid()) && backlog_waker_.should_wake(s)) {
    std::lock_guard<std::mutex> lock(control_mu_);
    if (const auto r = control_.write_backlog_wake_record(); r.ok())
      backlog_wakes_->add(1);
    else
      log_warn(r.error());
  }
  if (const auto lost = loss_alarm_->observe(s.lost, s.backlog_limit, s.backlog_wait_time, now_ms()))
    log_warn("the kernel lost " + std::to_string(lost) + " audit records (backlog_limit " +
             std::to_string(s.backlog_limit) + "); raised as audit_tampering/events_lost");
}

// Another process asked the kernel to be the audit daemon (auditd started
// later), or the kernel no longer sends to us: read beside it (multicast)
// from now on and unregister, so a restarted auditd can take the pid. The
// multicast socket opens before the unicast one closes, so no record falls
// between them (a few may arrive twice; repeats fold).
void Runtime::step_aside_if_replaced() {
  if (!netlink_ || !reader_running_) return;
  std::uint32_t registered = 0;
  {
    std::lock_guard<std::mutex> lock(kernel_mu_);
    registered = kernel_.pid;
  }
  const std::uint32_t by = netlink_->replace_requested_by();
  const bool lost = registered != static_cast<std::uint32_t>(::getpid());
  if (!by && !lost) return;
  auto comm_of = [](std::uint32_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string comm;
    std::getline(in, comm);
    return comm.empty() ? std::string() : " (" + comm + ")";
  };
  const std::string reason =
      by ? "pid " + std::to_string(by) + comm_of(by) + " asked to be the audit daemon"
         : registered ? "pid " + std::to_string(registered) + comm_of(registered) + " took the audit pid"
                      : "the kernel unregistered cshieldd as the audit daemon";
  MulticastSourceOptions o;
  o.counters = &counters_;
  auto multicast = std::make_unique<MulticastSource>(o);
  if (auto r = multicast->start(); !r.ok()) {
    log_error(reason + ", but reading beside it (multicast) failed: " + r.error() + "; staying in netlink mode");
    return;
  }
  {
    std::lock_guard<std::mutex> lock(source_mu_);
    next_source_ = std::move(multicast);
  }
  netlink_->stop();  // unregisters (audit pid 0); the reader moves to the multicast source
  netlink_ = nullptr;
  Poco::JSON::Object::Ptr change = new Poco::JSON::Object;
  change->set("from", "netlink");
  change->set("at", format_rfc3339_ms(now_ms()));
  change->set("reason", reason);
  {
    std::lock_guard<std::mutex> lock(mode_mu_);
    mode_ = "multicast";
    mode_change_ = change;
  }
  log_warn(reason + ": cshieldd stepped aside and now reads audit records beside it (multicast mode); "
           "its rules stay loaded");
}

Poco::JSON::Object::Ptr Runtime::status_json() {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("version", CSHIELD_VERSION);
  {
    std::lock_guard<std::mutex> lock(mode_mu_);
    o->set("mode", mode_);
    o->set("mode_change", mode_change_ ? Poco::Dynamic::Var(mode_change_) : Poco::Dynamic::Var());
  }
  o->set("host", stamped_sinks_.host());
  o->set("started", format_rfc3339_ms(started_ms_));
  o->set("pipeline_running", pipeline_running_.load());
  o->set("reader_running", reader_running_.load());
  {
    Poco::JSON::Object::Ptr health = new Poco::JSON::Object;
    const auto reasons = degraded_reasons();
    health->set("status", !(pipeline_running_ && reader_running_) ? "unavailable" : reasons.empty() ? "ok" : "degraded");
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& r : reasons) list->add(r);
    health->set("reasons", list);
    o->set("health", health);
  }
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
  aq->set("held", store_writer_->held());
  aq->set("capacity", store_writer_->capacity());
  queues->set("alarms", aq);
  o->set("queues", queues);
  try {
    o->set("alarms_stored", reader_store_->alarm_count());
  } catch (const std::exception&) {
    o->set("alarms_stored", Poco::Dynamic::Var());
  }
  o->set("exporters", exporters_->status_json());
  Poco::JSON::Object::Ptr policy = new Poco::JSON::Object;
  {
    std::lock_guard<std::mutex> lock(apply_mu_);
    policy->set("groups", policy_set_ ? policy_set_->groups().size() : 0);
  }
  policy->set("directory", config_.policy.directory);
  policy->set("watches", watches_ ? watches_->placed() : 0);
  o->set("policy", policy);
  Poco::JSON::Object::Ptr counters = new Poco::JSON::Object;
  for (const auto& s : counters_.snapshot()) counters->set(s.name, s.value);
  o->set("counters", counters);
  return o;
}

std::vector<std::string> Runtime::degraded_reasons() const {
  std::vector<std::string> reasons;
  if (auto r = store_writer_->degraded_reason(); !r.empty()) reasons.push_back(std::move(r));
  return reasons;
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
      next.api.socket != config_.api.socket || next.api.listen != config_.api.listen ||
      next.api.metrics_listen != config_.api.metrics_listen || next.node.root != config_.node.root ||
      next.audit.read_delay_ms != config_.audit.read_delay_ms)
    log_warn("audit.mode, audit.read_delay_ms, storage.database, node.root and the api addresses take effect at "
             "the next start");
  exporters_->reopen();
  if (next.exporting.audit != config_.exporting.audit || next.exporting.syslog != config_.exporting.syslog ||
      next.exporting.syslog_format != config_.exporting.syslog_format || next.exporting.jsonl != config_.exporting.jsonl ||
      next.exporting.queue_size != config_.exporting.queue_size)
    log_warn("export settings take effect at the next start; the JSON Lines file is reopened now");
  config_.detect = next.detect;
  load_signatures();
  const auto policy_errors = policy_->reload_files(next.policy.directory);
  for (const auto& e : policy_errors) log_error("policy: " + e.to_string());
  if (!policy_errors.empty()) log_error("the policy files have errors; the running policy groups stay in force");
  config_.policy = next.policy;
  {
    std::lock_guard<std::mutex> lock(apply_mu_);
    detectors_ = make_detectors();
    if (pipeline_) pipeline_->set_detectors(detectors_);
  }
  load_rules();
}

// A signature file with errors is refused whole: the database in force stays.
void Runtime::load_signatures() {
  std::vector<ConfigMessage> errors, warnings;
  const bool ok = signatures_->load(config_.detect.signatures, errors, warnings);
  for (const auto& w : warnings) log_warn(w.to_string());
  for (const auto& e : errors) log_error(e.to_string());
  if (ok)
    log_info("malicious-program signatures: " + std::to_string(signatures_->current()->size()) + " loaded" +
             (config_.detect.signatures.empty() ? "" : " from " + config_.detect.signatures));
  else
    log_error("the signature file has errors; the " + std::to_string(signatures_->current()->size()) +
              " signatures in force stay");
}

void Runtime::shutdown() {
  if (api_) api_->stop();
  std::unique_lock<std::mutex> control_lock(control_mu_);
  if (rules_) {
    if (auto r = rules_->remove_all(); !r.ok()) log_error("removing audit rules: " + r.error());
  }
  if (status_guard_ && !netlink_ && mode_change_) {
    // Another audit daemon runs now: its audit settings are its own.
    ::unlink(found_status_path().c_str());
  } else if (status_guard_) {
    if (auto r = status_guard_->restore(); !r.ok())
      log_error("restoring the audit status: " + r.error());
    else
      ::unlink(found_status_path().c_str());
  }
  control_lock.unlock();
  {
    std::lock_guard<std::mutex> lock(source_mu_);
    next_source_.reset();
    if (source_) source_->stop();
  }
  if (reader_.joinable()) reader_.join();
  records_.close();
  if (pipeline_thread_.joinable()) pipeline_thread_.join();
  if (rules_) {  // watches the pipeline placed for a container start read after the removal above
    std::lock_guard<std::mutex> lock(control_mu_);
    (void)rules_->remove_all();
  }
  if (store_writer_) store_writer_->stop();
  if (exporters_) exporters_->stop();
}

int Runtime::run() {
  kernel_lost_ = &counters_.gauge("kernel.lost", "records the kernel lost (its lost counter)");
  kernel_backlog_ = &counters_.gauge("kernel.backlog", "records waiting in the kernel's audit backlog");
  own_records_ = &own_records_counter(counters_);
  backlog_wakes_ = &counters_.counter("audit.backlog_wakes",
                                      "records written to wake tasks the kernel left waiting for backlog room");
  counters_.gauge_fn("queue.records.depth", "record chunks waiting for the pipeline", [this] { return records_.size(); });
  counters_.gauge_fn("queue.records.dropped", "record chunks dropped because the pipeline queue was full",
                     [this] { return records_.dropped(); });
  counters_.gauge_fn("queue.records.inline", "record chunks the reader worked itself instead of queueing them",
                     [this] { return work_.inline_chunks(); });
  rescued_chunks_ = &counters_.counter(
      "queue.records.rescued", "record chunks the pipeline thread read while the reader worked a long chunk inline");

  if (const auto missing = missing_privileges(config_, FsFileReader("/").read("/proc/self/status").value_or(""),
                                                 in_host_network_namespace(), in_host_pid_namespace(),
                                                 in_host_user_namespace());
      !missing.empty()) {
    for (const auto& m : missing) log_error("privilege: " + m);
    log_error("cshieldd refuses to start without the privileges above (see cshieldd(8), PRIVILEGES)");
    return 1;
  }
  log_info("alarms name this node as '" + stamped_sinks_.host() + "'");
  if (config_.node.root != "/")
    log_info("the node's root filesystem is at " + config_.node.root +
             ": audit rules on node files are placed under it, alarms name the node's paths");
  if (!open_store()) return 1;
  signatures_ = std::make_unique<SignatureDatabase>(counters_);
  load_signatures();
  if (!start_policy()) return 1;  // builds detectors_ with the signatures and the policy in force

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
  pipeline_thread_ = std::thread([this] {
    name_this_thread("cs-pipeline");
    pipeline_loop();
  });
  reader_ = std::thread([this] {
    name_this_thread("cs-reader");
    reader_loop();
  });

  api_context_ = std::make_unique<ApiContext>(ApiContext{
      *reader_store_, [this] { return status_json(); },
      [this] { return pipeline_running_.load() && reader_running_.load(); },
      [this] { return prometheus_text(counters_); }, policy_.get(), [this] { return degraded_reasons(); },
      &alarm_writes_});
  ApiOptions api_options;
  api_options.socket_path = config_.api.socket;
  api_options.socket_group = config_.api.socket_group;
  api_options.listen = config_.api.listen;
  api_options.token = token;
  api_options.metrics_listen = config_.api.metrics_listen;
  api_ = std::make_unique<ApiServer>(*api_context_, api_options);
  std::string error;
  if (!api_->start(error)) {
    log_error("cannot start the API: " + error);
    shutdown();
    return 1;
  }
  log_info("API on " + (config_.api.socket.empty() ? std::string("(no socket)") : config_.api.socket) +
           (config_.api.listen.empty() ? "" : " and http://" + config_.api.listen) +
           (config_.api.metrics_listen.empty() ? "" : "; metrics on http://" + config_.api.metrics_listen + "/metrics"));

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
    step_aside_if_replaced();
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
