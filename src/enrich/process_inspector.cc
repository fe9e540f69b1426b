#include "enrich/process_inspector.h"

#include <arpa/inet.h>
#include <sys/sysmacros.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string_view>
#include <vector>

#include "core/affixes.h"

namespace cshield {

namespace {

constexpr std::size_t kMaxSiblings = 64;


// "0100007F:1F90" (IPv4) or 32 hex digits (IPv6): the kernel prints each
// 32-bit word of the address in host order.
std::string endpoint(const std::string& hex, bool v6) {
  const auto colon = hex.find(':');
  if (colon == std::string::npos) return "";
  const std::string addr = hex.substr(0, colon);
  const unsigned port = static_cast<unsigned>(std::strtoul(hex.c_str() + colon + 1, nullptr, 16));
  unsigned char bytes[16] = {};
  const std::size_t words = v6 ? 4 : 1;
  if (addr.size() != words * 8) return "";
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint32_t word = static_cast<std::uint32_t>(std::strtoul(addr.substr(w * 8, 8).c_str(), nullptr, 16));
    std::memcpy(bytes + w * 4, &word, 4);
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, text, sizeof text)) return "";
  return v6 ? "[" + std::string(text) + "]:" + std::to_string(port) : std::string(text) + ":" + std::to_string(port);
}

std::string pipe_of(const std::string& target) { return starts_with(target, "pipe:[") ? target : ""; }

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  for (auto& c : s)
    if (c == '\0' || c == '\n') c = ' ';
  return s;
}

}  // namespace

std::string find_socket_in_net_table(const std::string& table, const std::string& proto, const std::string& inode) {
  std::istringstream in(table);
  std::string line;
  std::getline(in, line);  // header
  const bool v6 = ends_with(proto, "6");
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string x;
    while (fields >> x && f.size() < 10) f.push_back(x);
    // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode
    if (f.size() < 10 || f[9] != inode) continue;
    std::string base = proto;
    if (v6) base.pop_back();
    return base + " " + endpoint(f[1], v6) + " -> " + endpoint(f[2], v6);
  }
  return "";
}

std::vector<ExecutedFile> executed_files(const AuditEvent& event) {
  std::vector<ExecutedFile> out;
  for (const AuditRecord* r : event.all(rec::kPath)) {
    if (r->text("nametype").value_or("NORMAL") != "NORMAL") continue;
    const auto inode = r->raw("inode");
    const auto dev = r->raw("dev");
    if (!inode || !dev || inode->empty()) continue;
    ExecutedFile f;
    f.inode = std::strtoull(inode->c_str(), nullptr, 10);
    f.dev = *dev;
    if (f.inode) out.push_back(std::move(f));
  }
  return out;
}

bool ProcessInspector::wants(const AuditEvent& event, const ProcessInfo& process) {
  const std::string_view exe = process.exe;
  if (starts_with(exe, "/memfd:") || ends_with(exe, " (deleted)")) return true;
  const AuditRecord* sys = event.syscall();
  if (!sys) return false;
  const AuditField* f = sys->field("syscall");
  if (!f || (f->text() != "execve" && f->text() != "execveat")) return false;
  return sys->raw("success").value_or("") == "yes";
}

// The executed file read through a root (/proc/<pid>/root), accepted only
// when it is one of the files the execve opened.
void ProcessInspector::hash_through_root(ExecutionFacts& facts, const std::vector<int>& pids, const std::string& exe,
                                         const std::vector<ExecutedFile>& executed) const {
  if (executed.empty() || exe.empty() || exe[0] != '/' || exe.find(" (deleted)") != std::string::npos ||
      exe.rfind("/memfd:", 0) == 0)
    return;
  auto same_file = [&](const FileIdentity& id) {
    char dev[32];
    std::snprintf(dev, sizeof dev, "%02x:%02x", major(static_cast<dev_t>(id.device)), minor(static_cast<dev_t>(id.device)));
    for (const auto& f : executed)
      if (f.inode == id.inode && f.dev == dev) return true;
    return false;
  };
  for (int p : pids) {
    if (p <= 0) continue;
    const std::string root = "/proc/" + std::to_string(p) + "/root";
    const FileHash h = hasher_.hash(root + exe, same_file);
    if (h.status == FileHash::Status::kMissing) continue;  // that process is gone too
    if (h.status == FileHash::Status::kOk) {
      facts.sha256 = h.sha256;
      facts.hash_cached = h.cached;
      facts.hash_source = root + exe;
    } else {
      facts.hash_problem += "; through " + root + ": " + h.problem();
    }
    return;
  }
}

ExecutionFacts ProcessInspector::inspect(int pid, int ppid, const std::string& exe,
                                         const std::vector<ExecutedFile>& executed) const noexcept {
  ExecutionFacts facts;
  try {
    const std::string proc = "/proc/" + std::to_string(pid);
    if (pid <= 0 || !files_.exists(proc)) {
      facts.process_gone = true;
      facts.hash_problem = "process gone before its executable could be read";
      hash_through_root(facts, {ppid}, exe, executed);
      return facts;
    }
    facts.exe_link = files_.read_link(proc + "/exe").value_or("");
    if (!exe.empty() && !facts.exe_link.empty() && facts.exe_link != exe && facts.exe_link != exe + " (deleted)") {
      facts.superseded = true;
      facts.hash_problem = "the process executed another program (" + facts.exe_link + ") before it could be read";
      facts.exe_link.clear();
      hash_through_root(facts, {pid, ppid}, exe, executed);
      return facts;
    }
    const FileHash h = hasher_.hash(proc + "/exe");
    if (h.status == FileHash::Status::kOk) {
      facts.sha256 = h.sha256;
      facts.hash_cached = h.cached;
      facts.hash_source = proc + "/exe";
    } else {
      facts.hash_problem = h.problem();
      if (h.status == FileHash::Status::kMissing) {  // exited between the checks
        facts.process_gone = true;
        hash_through_root(facts, {ppid}, exe, executed);
        return facts;
      }
    }

    for (int fd = 0; fd <= 2; ++fd) {
      auto target = files_.read_link(proc + "/fd/" + std::to_string(fd));
      if (!target) continue;
      ExecutionFacts::Stream s;
      s.fd = fd;
      s.target = *target;
      if (starts_with(s.target, "socket:[") && ends_with(s.target, "]")) {
        const std::string inode = s.target.substr(8, s.target.size() - 9);
        for (const char* proto : {"tcp", "tcp6", "udp", "udp6"}) {
          auto table = files_.read(proc + "/net/" + proto, 4 << 20);
          if (!table) continue;
          s.network = find_socket_in_net_table(*table, proto, inode);
          if (!s.network.empty()) break;
        }
      }
      facts.streams.push_back(std::move(s));
    }

    const auto* in = facts.stream(0);
    const auto* out = facts.stream(1);
    const std::string in_pipe = in ? pipe_of(in->target) : "", out_pipe = out ? pipe_of(out->target) : "";
    if (ppid > 0 && (!in_pipe.empty() || !out_pipe.empty())) {
      const std::string parent = "/proc/" + std::to_string(ppid);
      std::istringstream children(
          files_.read(parent + "/task/" + std::to_string(ppid) + "/children", 1 << 16).value_or(""));
      int child = 0;
      std::size_t seen = 0;
      while (children >> child && seen++ < kMaxSiblings) {
        if (child == pid) continue;
        const std::string sib = "/proc/" + std::to_string(child);
        auto peer = [&](const std::string& pipe) {
          ExecutionFacts::PipePeer p;
          p.pid = child;
          p.comm = one_line(files_.read(sib + "/comm", 256).value_or(""));
          p.cmdline = one_line(files_.read(sib + "/cmdline", 8192).value_or(""));
          p.pipe = pipe;
          return p;
        };
        if (!in_pipe.empty() && files_.read_link(sib + "/fd/1").value_or("") == in_pipe)
          facts.stdin_writers.push_back(peer(in_pipe));
        if (!out_pipe.empty() && files_.read_link(sib + "/fd/0").value_or("") == out_pipe)
          facts.stdout_readers.push_back(peer(out_pipe));
      }
    }
  } catch (...) {
    // Allocation failure: what was read so far stands.
  }
  return facts;
}

}  // namespace cshield
