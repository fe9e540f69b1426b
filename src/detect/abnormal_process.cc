#include "detect/abnormal_process.h"

#include "detect/event_facts.h"

namespace cshield {

namespace {

std::string absolute(const std::string& path, const AuditEvent& event) {
  if (path.empty() || path[0] == '/') return path;
  std::string cwd;
  if (const AuditRecord* c = event.first(rec::kCwd)) cwd = c->text("cwd").value_or("");
  if (cwd.empty()) return path;
  const std::string rel = path.compare(0, 2, "./") == 0 ? path.substr(2) : path;
  return cwd + (cwd[cwd.size() - 1] == '/' ? "" : "/") + rel;
}

std::string argv_json(const AuditEvent& event) {
  std::string out = "[";
  const auto argv = exec_argv(event);
  for (std::size_t i = 0; i < argv.size() && i < 64; ++i) out += (i ? "," : "") + json_quote(argv[i]);
  return out + "]";
}

}  // namespace

// A name that says nothing of the file: a process re-executing itself
// (busybox runs its applets through /proc/self/exe) or a descriptor.
bool names_a_descriptor(const std::string& path) {
  return path.rfind("/proc/", 0) == 0 || path.rfind("/dev/fd/", 0) == 0;
}

std::string executed_path(const AuditEvent& event) {
  // The first PATH record (item 0) names the file execve was given; a
  // script's interpreter or the dynamic loader follow as later items.
  for (const AuditRecord* p : event.all(rec::kPath)) {
    if (p->raw("item").value_or("") != "0") continue;
    std::string name = p->text("name").value_or("");
    if (name.empty() || name == "(null)") break;
    name = absolute(name, event);
    if (names_a_descriptor(name)) break;  // the exe field names the file
    return name;
  }
  const AuditRecord* sys = event.syscall();
  return sys ? sys->text("exe").value_or("") : std::string();
}

AbnormalProcessDetector::AbnormalProcessDetector(std::shared_ptr<const PolicySet> policy, ExecLearner* learner)
    : policy_(policy ? std::move(policy) : std::make_shared<const PolicySet>()), learner_(learner) {}

std::vector<AuditRule> AbnormalProcessDetector::rules() const { return {exec_rule()}; }

bool AbnormalProcessDetector::wants(const AuditEvent& event) const {
  if (policy_->empty() || !is_exec_call(event)) return false;
  return event.syscall()->raw_view("success") == "yes";
}

void AbnormalProcessDetector::evaluate(const EventContext& ctx, std::vector<Alarm>& out) const {
  if (!ctx.container || is_runtime_process(ctx.process)) return;
  const AuditRecord* sys = ctx.event.syscall();
  if (!sys) return;
  const PolicyGroup* group = policy_->group_for(*ctx.container);
  if (!group) return;
  std::string path = executed_path(ctx.event);
  if (path.empty() || names_a_descriptor(path)) path = ctx.process.exe;
  if (path.empty()) return;
  if (group->learning_until_ms && ctx.event.time_ms < *group->learning_until_ms) {
    if (learner_) learner_->learned(group->name, path, ctx.event.time_ms);
    return;
  }
  if (process_whitelisted(*group, path)) return;

  Alarm a = make_alarm("abnormal_process", "not_whitelisted", path);
  a.syscall = sys->text("syscall").value_or("execve");
  a.path = path;
  a.evidence_json = "{\"policy_group\":" + json_quote(group->name) + ",\"executable\":" + json_quote(path) +
                    ",\"exe\":" + json_quote(ctx.process.exe) + ",\"argv\":" + argv_json(ctx.event) + "}";
  a.description = "A process ran " + path + " in a container of the policy group '" + group->name +
                  "', whose process whitelist does not list it. Either the workload changed (add the path to the "
                  "group's process_whitelist, or relearn it: cshieldctl policy learn " + group->name +
                  ") or something foreign runs in the container: find its parent and how it got there.";
  out.push_back(std::move(a));
}

// The executed file's PATH record, made absolute with CWD.
bool AbnormalProcessDetector::reads_record(int record_type) const {
  return record_type == rec::kPath || record_type == rec::kCwd;
}

}  // namespace cshield
