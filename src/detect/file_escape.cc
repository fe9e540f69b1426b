#include "detect/file_escape.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "core/affixes.h"
#include "detect/event_facts.h"

namespace cshield {

namespace {

bool is_runtime_managed(std::string_view host_path) {
  static constexpr std::array<std::string_view, 3> kManaged{"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"};
  for (auto m : kManaged)
    if (host_path == m) return true;
  return false;
}

// Calls that change a file rather than read it.
bool is_modifying_syscall(std::string_view s) {
  static constexpr std::array<std::string_view, 22> kModify{
      "write", "pwrite64", "truncate", "ftruncate", "rename", "renameat", "renameat2",
      "unlink", "unlinkat", "rmdir", "link", "linkat", "symlink", "symlinkat",
      "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown", "setxattr"};
  for (auto m : kModify)
    if (s == m) return true;
  return s.find("setxattr") != std::string_view::npos || s.find("removexattr") != std::string_view::npos ||
         s == "mknod" || s == "mknodat" || s == "mkdir" || s == "mkdirat" || s == "creat";
}

// The open flags argument of open/openat/openat2, when the call is one.
std::optional<std::int64_t> open_flags(const AuditRecord& sys, std::string_view name) {
  if (name == "open") return sys.number("a1");
  if (name == "openat") return sys.number("a2");
  return std::nullopt;  // openat2 passes a struct: treated as read unless the watch said write
}

}  // namespace

std::vector<WatchedHostPath> default_file_escape_paths() {
  return {{"/etc/shadow", true},       {"/etc/gshadow", true},      {"/etc/sudoers", true},
          {"/etc/sudoers.d/", true},   {"/etc/crontab", true},      {"/etc/cron.d/", true},
          {"/etc/cron.hourly/", true}, {"/etc/cron.daily/", true},  {"/etc/cron.weekly/", true},
          {"/etc/cron.monthly/", true}, {"/var/spool/cron/", true}, {"/root/.ssh/", true},
          {"/etc/ssh/", true},         {"/etc/ld.so.preload", true}, {"/etc/pam.d/", true},
          {"/etc/passwd", false},      {"/etc/group", false}};
}

FileEscapeDetector::FileEscapeDetector(std::vector<WatchedHostPath> paths) : paths_(std::move(paths)) {}

std::vector<AuditRule> FileEscapeDetector::rules() const {
  std::vector<AuditRule> out;
  for (const auto& p : paths_) {
    if (is_runtime_managed(p.path)) continue;
    AuditRule r;
    r.kind = AuditRule::Kind::kWatch;
    r.path = p.path;
    if (r.path.size() > 1 && r.path.back() == '/') r.path.pop_back();
    r.perms = p.reads ? "rwa" : "wa";
    r.key = kFileEscapeKeyPrefix + r.path;
    out.push_back(std::move(r));
  }
  return out;
}

bool FileEscapeDetector::wants(const AuditEvent& event) const {
  const AuditRecord* sys = event.syscall();
  if (!sys) return false;
  return starts_with(sys->text_view("key"), kFileEscapeKeyPrefix);  // empty when absent
}

void FileEscapeDetector::evaluate(const EventContext& ctx, std::vector<Alarm>& out) const {
  if (!ctx.container || is_runtime_process(ctx.process)) return;
  const AuditRecord* sys = ctx.event.syscall();
  if (!sys) return;
  const std::string_view key = sys->text_view("key");
  const std::string_view host_path = key.substr(std::min(key.size(), std::string_view(kFileEscapeKeyPrefix).size()));
  if (host_path.empty() || is_runtime_managed(host_path)) return;

  const std::string_view syscall = sys->text_view("syscall");
  bool write = is_modifying_syscall(syscall);
  if (auto flags = open_flags(*sys, syscall))
    write = write || (*flags & (O_WRONLY | O_RDWR | O_TRUNC | O_CREAT)) != 0;

  // The name the container used: the PATH record of the watched object
  // (nametype NORMAL/CREATE/DELETE), not the parent directory's.
  std::string seen_as;
  for (const AuditRecord& p : ctx.event.records) {
    if (p.type != rec::kPath || p.raw_view("nametype") == "PARENT") continue;
    seen_as = p.text_view("name");
    if (!seen_as.empty() && seen_as != "(null)") break;
  }
  if (!seen_as.empty() && seen_as.front() != '/') {
    if (const auto* cwd = ctx.event.first(rec::kCwd)) {
      const std::string_view dir = cwd->text_view("cwd");
      if (!dir.empty()) seen_as.insert(0, dir.back() == '/' ? std::string(dir) : std::string(dir) + "/");
    }
  }

  const std::string_view access = write ? "write" : "read";
  Alarm a = make_alarm("file_escape", std::string(access), "");
  a.syscall = syscall;
  a.path = seen_as.empty() ? std::string(host_path) : seen_as;
  if (!ctx.details_wanted(a)) {
    out.push_back(std::move(a));
    return;
  }
  a.name.append(": ").append(write ? "write to host " : "read of host ").append(host_path);
  // Appended in place: one of these is built for every alarm of a storm.
  std::string& evidence = a.evidence_json;  // "{}" until now
  evidence.reserve(256);
  evidence = "{\"host_path\":";
  append_json_quoted(evidence, host_path);
  evidence += ",\"container_path\":";
  append_json_quoted(evidence, seen_as);
  evidence += ",\"access\":";
  append_json_quoted(evidence, access);
  evidence += ",";
  append_syscall_evidence_fields(evidence, *sys);
  evidence += "}";
  std::string& d = a.description;
  d.reserve(512);
  d += "A process in the container ";
  d += write ? "modified " : "read ";
  d += "the host file ";
  d += host_path;
  if (!(seen_as.empty() || seen_as == host_path)) d.append(" (seen inside the container as ").append(seen_as).append(")");
  d += ". Host credential, privilege and scheduling files are out of any container's business; "
       "a container that reaches them can take over the host. Find the mount that exposes the host "
       "path (docker inspect, the OCI bundle's mounts), remove it, and treat the host file as disclosed";
  d += write ? " and possibly altered." : ".";
  out.push_back(std::move(a));
}

// The watched object's PATH record and the CWD a relative name is read against.
bool FileEscapeDetector::reads_record(int record_type) const {
  return record_type == rec::kPath || record_type == rec::kCwd;
}

}  // namespace cshield
