#include "detect/sensitive_file_access.h"

#include <fcntl.h>

#include "core/affixes.h"
#include "detect/event_facts.h"
#include "policy/glob.h"

namespace cshield {

namespace {

std::optional<std::int64_t> open_flags(const AuditRecord& sys, const std::string& name) {
  if (name == "open") return sys.number("a1");
  if (name == "openat") return sys.number("a2");
  if (name == "creat") return O_WRONLY | O_CREAT | O_TRUNC;
  return std::nullopt;
}

}  // namespace

std::string file_modification(std::string_view s, std::optional<std::int64_t> flags) {
  if (s == "open" || s == "openat" || s == "creat") {
    if (!flags) return {};
    if (*flags & O_TRUNC) return "truncate";
    return (*flags & (O_WRONLY | O_RDWR | O_CREAT)) ? "write" : "";
  }
  if (s == "openat2") return "write";  // flags are in a struct; the watch fired only for a write
  if (s == "truncate" || s == "ftruncate") return "truncate";
  if (starts_with(s, "rename")) return "rename";
  if (s == "unlink" || s == "unlinkat" || s == "rmdir") return "unlink";
  if (starts_with(s, "chmod") || starts_with(s, "fchmod")) return "chmod";
  if (s == "chown" || s == "lchown" || starts_with(s, "fchown")) return "chown";
  if (s.find("setxattr") != std::string_view::npos || s.find("removexattr") != std::string_view::npos)
    return "setxattr";
  if (s == "link" || s == "linkat" || s == "symlink" || s == "symlinkat") return "link";
  if (s == "mknod" || s == "mknodat") return "link";
  if (s == "utime" || s == "utimes" || s == "utimensat" || s == "futimesat") return "";  // times only
  return {};
}

std::string protected_watch_path(const std::string& pattern) {
  const std::size_t glob = pattern.find_first_of("*?[");
  if (glob == std::string::npos) return pattern;
  const std::size_t slash = pattern.rfind('/', glob);
  if (slash == 0 || slash == std::string::npos) return "/";
  return pattern.substr(0, slash);
}

AuditRule sensitive_file_watch(const std::string& container_id, const std::string& host_path) {
  AuditRule r;
  r.kind = AuditRule::Kind::kWatch;
  r.path = host_path;
  r.perms = "wa";
  r.key = kSensitiveFileKeyPrefix + container_id;
  return r;
}

SensitiveFileAccessDetector::SensitiveFileAccessDetector(std::shared_ptr<const PolicySet> policy)
    : policy_(policy ? std::move(policy) : std::make_shared<const PolicySet>()) {}

bool SensitiveFileAccessDetector::wants(const AuditEvent& event) const {
  if (policy_->empty()) return false;
  const AuditRecord* sys = event.syscall();
  if (!sys) return false;
  // Read in place (empty when absent, which starts with neither prefix).
  const std::string_view k = sys->text_view("key");
  if (starts_with(k, kSensitiveFileKeyPrefix)) return true;
  // The kernel records only the first matching rule's key, and the
  // per-container watches come last: a write another cshield rule matched
  // first (an open for writing without O_CREAT) is still ours to judge.
  if (!starts_with(k, kRuleKeyPrefix)) return false;
  const std::string_view s = sys->text_view("syscall");
  return s == "open" || s == "openat" || s == "openat2" || s == "creat" ||
         !file_modification(s, 0).empty();
}

void SensitiveFileAccessDetector::evaluate(const EventContext& ctx, std::vector<Alarm>& out) const {
  if (!ctx.container || is_runtime_process(ctx.process)) return;
  const AuditRecord* sys = ctx.event.syscall();
  if (!sys) return;
  const PolicyGroup* group = policy_->group_for(*ctx.container);
  if (!group || group->protected_files.empty()) return;
  const std::string syscall = sys->text("syscall").value_or("");
  const std::string op = file_modification(syscall, open_flags(*sys, syscall));
  if (op.empty()) return;

  std::string cwd;
  if (const AuditRecord* c = ctx.event.first(rec::kCwd)) cwd = c->text("cwd").value_or("");
  std::string seen_as;
  const std::string* pattern = nullptr;
  for (const AuditRecord* p : ctx.event.all(rec::kPath)) {
    if (p->raw("nametype").value_or("") == "PARENT") continue;
    std::string name = p->text("name").value_or("");
    if (name.empty() || name == "(null)") continue;
    if (name.front() != '/' && !cwd.empty()) name = cwd + (cwd.back() == '/' ? "" : "/") + name;
    if ((pattern = protected_pattern(*group, name))) {
      seen_as = std::move(name);
      break;
    }
  }
  if (!pattern) return;

  Alarm a = make_alarm("sensitive_file_access", op, op + " " + seen_as);
  a.syscall = syscall;
  a.path = seen_as;
  a.evidence_json = "{\"policy_group\":" + json_quote(group->name) + ",\"protected\":" + json_quote(*pattern) +
                    ",\"operation\":" + json_quote(op) + "," + syscall_evidence_fields(*sys) + "}";
  a.description = "A process in a container of the policy group '" + group->name + "' modified (" + op + ") " +
                  seen_as + ", a file the group protects (" + *pattern +
                  "). Image files that running containers change are how backdoors, new accounts and replaced "
                  "binaries persist: find the process and how it got in, compare the file with the image, and "
                  "recreate the container from the image if the change was not intended.";
  out.push_back(std::move(a));
}

// The accessed file's PATH records and CWD.
bool SensitiveFileAccessDetector::reads_record(int record_type) const {
  return record_type == rec::kPath || record_type == rec::kCwd;
}

}  // namespace cshield
