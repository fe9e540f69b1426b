#include "detect/event_facts.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/affixes.h"

namespace cshield {

namespace {

std::string_view basename(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::int64_t id_or(const AuditField* f) {
  if (!f) return -1;
  auto v = AuditRecord::number(*f);
  return v ? *v : -1;
}

// The fields process_from_event() reads, each the first of its name, found
// in one walk over the record instead of a lookup each.
struct ProcessFields {
  const AuditField *pid = nullptr, *ppid = nullptr, *uid = nullptr, *euid = nullptr, *auid = nullptr,
                   *comm = nullptr, *exe = nullptr;

  explicit ProcessFields(const AuditRecord& r) {
    for (const AuditField& f : r.fields) {
      const std::string_view n = f.name;
      const AuditField** slot = nullptr;
      switch (n.size()) {
        case 3:
          if (n == "pid") slot = &pid;
          else if (n == "uid") slot = &uid;
          else if (n == "exe") slot = &exe;
          break;
        case 4:
          if (n == "ppid") slot = &ppid;
          else if (n == "euid") slot = &euid;
          else if (n == "auid") slot = &auid;
          else if (n == "comm") slot = &comm;
          break;
        default: break;
      }
      if (slot && !*slot) *slot = &f;
    }
  }
};

std::string_view text_of(const AuditField* f) { return f ? f->text() : std::string_view(); }

}  // namespace

const AuditRecord* process_record(const AuditEvent& ev) {
  const AuditRecord* r = ev.syscall();
  if (!r) r = ev.first(rec::kSeccomp);
  for (int user_type : {rec::kUserAuth, rec::kUserLogin, rec::kUserErr})
    if (!r) r = ev.first(user_type);
  return r;
}

ProcessInfo process_from_event(const AuditEvent& ev) {
  ProcessInfo p;
  const AuditRecord* r = process_record(ev);
  if (!r) return p;
  const ProcessFields f(*r);
  p.pid = static_cast<int>(id_or(f.pid));
  p.ppid = static_cast<int>(id_or(f.ppid));
  if (p.ppid < 0) p.ppid = 0;
  p.uid = id_or(f.uid);
  p.euid = id_or(f.euid);
  p.auid = id_or(f.auid);
  p.comm = text_of(f.comm);
  p.exe = text_of(f.exe);
  if (const auto* t = ev.first(rec::kProctitle)) {
    p.cmdline = t->text_view("proctitle");
    // The arguments' NUL separators become spaces (memchr: most bytes are not).
    char* c = p.cmdline.data();
    char* const end = c + p.cmdline.size();
    while ((c = static_cast<char*>(std::memchr(c, '\0', static_cast<std::size_t>(end - c))))) *c++ = ' ';
  }
  return p;
}

std::vector<std::string> fields_nothing_reads(int record_type) {
  switch (record_type) {
    case rec::kSyscall: return {"items", "gid", "suid", "fsuid", "egid", "sgid", "fsgid", "tty", "ses"};
    case rec::kPath: return {"mode", "ouid", "ogid", "rdev", "cap_fp", "cap_fi", "cap_fe", "cap_fver", "cap_frootid"};
    default: return {};
  }
}

AuditRule exec_rule() {
  AuditRule r;
  r.syscalls = {"execve", "execveat"};
  r.key = kExecKey;
  return r;
}

bool is_exec_syscall(std::string_view name) { return name == "execve" || name == "execveat"; }

bool is_exec_call(const AuditEvent& event) {
  const AuditRecord* sys = event.syscall();
  return sys && is_exec_syscall(sys->text_view("syscall"));
}

std::vector<std::string> exec_argv(const AuditEvent& event) {
  std::vector<std::string> argv;
  const AuditRecord* r = event.first(rec::kExecve);
  if (!r) return argv;
  const auto argc = r->number("argc").value_or(0);
  argv.reserve(static_cast<std::size_t>(std::clamp<std::int64_t>(argc, 0, 64)));
  // aN, or aN[part]: field names built in place, without a string each.
  char name[48] = {'a'};
  char* const digits = name + 1;
  char* const last = name + sizeof name;
  for (std::int64_t i = 0; i < argc && i < 4096; ++i) {
    char* const index_end = std::to_chars(digits, last, i).ptr;
    if (const AuditField* f = r->field(std::string_view(name, static_cast<std::size_t>(index_end - name)))) {
      argv.emplace_back(f->text());
      continue;
    }
    std::string joined;
    bool any = false;
    *index_end = '[';
    for (int part = 0;; ++part) {
      char* part_end = std::to_chars(index_end + 1, last - 1, part).ptr;
      *part_end++ = ']';
      const AuditField* f = r->field(std::string_view(name, static_cast<std::size_t>(part_end - name)));
      if (!f) break;
      joined += f->text();
      any = true;
    }
    if (!any) break;
    argv.push_back(std::move(joined));
  }
  return argv;
}

bool is_runtime_process(const ProcessInfo& p) {
  const std::string_view comm = p.comm, exe = p.exe, base = basename(exe);
  // runc's init stages: comm "runc:[0:PARENT]" etc. with exe "/" (the
  // re-exec through /proc/self/exe after the pivot) or the runc binary or
  // its memfd clone; "exe" (the name of /proc/self/exe) until the stage names
  // itself.
  if (starts_with(comm, "runc:[") || comm == "runc" || comm == "exe") {
    return exe == "/" || exe.find("memfd:runc_cloned") != std::string_view::npos ||
           base == "runc" || starts_with(base, "runc.") || base == "docker-runc";
  }
  static constexpr std::array<std::string_view, 4> kRuntimes{"crun", "conmon", "youki", "runc"};
  for (auto name : kRuntimes)
    if (comm == name && base == name) return true;
  return starts_with(comm, "containerd-shim") && starts_with(base, "containerd-shim");
}

std::optional<SeccompAction> seccomp_action(const AuditRecord& r) {
  // Raw hex (0x7ffc0000) when auparse does not interpret it.
  auto code = r.number("code");
  if (!code) {
    auto raw = r.raw("code");
    if (!raw || raw->empty()) return std::nullopt;
    code = static_cast<std::int64_t>(std::strtoull(raw->c_str(), nullptr, 16));
  }
  constexpr std::uint32_t kActionMask = 0xffff0000U, kRetAllow = 0x7fff0000U, kRetLog = 0x7ffc0000U;
  SeccompAction a;
  a.action = static_cast<std::uint32_t>(*code) & kActionMask;
  a.refused = a.action != kRetAllow && a.action != kRetLog;
  return a;
}

void append_json_quoted(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  append_json_escaped(out, s);
  out.push_back('"');
}

void append_json_escaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

std::string json_quote(const std::string& s) {
  std::string out;
  append_json_quoted(out, s);
  return out;
}

std::string syscall_evidence_fields(const AuditRecord& r) {
  std::string out;
  out.reserve(160);
  append_syscall_evidence_fields(out, r);
  return out;
}

void append_syscall_evidence_fields(std::string& out, const AuditRecord& r) {
  static constexpr std::string_view kArgs[] = {"a0", "a1", "a2", "a3"};
  out += "\"syscall\":";
  append_json_quoted(out, r.text_view("syscall"));
  out += ",\"arch\":";
  append_json_quoted(out, r.text_view("arch"));
  out += ",\"args\":[";
  for (int i = 0; i < 4; ++i) {
    if (i) out += ",";
    const AuditField* a = r.field(kArgs[i]);
    out += "\"0x";
    append_json_escaped(out, a ? std::string_view(a->raw) : std::string_view("0"));
    out += '"';
  }
  out += "]";
  if (auto e = r.number("exit")) {
    char buf[24];
    std::snprintf(buf, sizeof buf, ",\"exit\":%lld", static_cast<long long>(*e));
    out += buf;
  }
  out += ",\"success\":";
  out += r.raw_view("success") == "yes" ? "true" : "false";
}

}  // namespace cshield
