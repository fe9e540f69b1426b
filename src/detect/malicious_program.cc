#include "detect/malicious_program.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string_view>

#include "core/affixes.h"
#include "detect/event_facts.h"

namespace cshield {

namespace {

// ASCII only, as std::tolower in the C locale (no program of cshield sets another).
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return lower(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view v) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

constexpr std::array<std::string_view, 14> kShells{"sh",  "bash", "dash", "ash",  "zsh",  "ksh",  "mksh",
                                                   "pdksh", "csh", "tcsh", "fish", "rbash", "hush", "yash"};
constexpr std::array<std::string_view, 7> kDownloaders{"curl", "wget", "fetch", "aria2c", "axel", "lwp-download",
                                                       "lwp-request"};
constexpr std::array<std::string_view, 6> kNetcats{"nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "pnc"};
constexpr std::array<std::string_view, 30> kMiners{
    "xmrig",        "xmrig-notls",   "xmrig-cuda",    "xmrig-nvidia",   "xmrig-amd",    "xmr-stak",
    "xmr-stak-cpu", "xmr-stak-rx",   "minerd",        "cpuminer",       "cpuminer-multi", "cpuminer-opt",
    "cgminer",      "bfgminer",      "sgminer",       "ccminer",        "ethminer",     "nbminer",
    "t-rex",        "lolminer",      "nanominer",     "phoenixminer",   "teamredminer", "gminer",
    "srbminer-multi", "nheqminer",   "minergate-cli", "kdevtmpfsi",     "kinsing",      "xmr-miner"};

// The names a process goes by: comm, executable and argv[0] base names.
struct Names {
  std::vector<std::string> all;
  template <std::size_t N>
  std::optional<std::string> any_in(const std::array<std::string_view, N>& set) const {
    for (const auto& n : all)
      if (in(set, n)) return n;
    return std::nullopt;
  }
};

Names names_of(const ProcessInfo& p, const std::vector<std::string>& argv) {
  Names n;
  n.all.reserve(3);
  if (!p.comm.empty()) n.all.push_back(lower(p.comm));
  if (!p.exe.empty()) n.all.push_back(base_name(p.exe));
  if (!argv.empty() && !argv[0].empty()) n.all.push_back(base_name(argv[0]));
  return n;
}

// Words separated by white space (what `istream >> std::string` reads in
// the C locale), without a stream per call.
std::vector<std::string> split_words(const std::string& s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > start) out.emplace_back(s, start, i - start);
  }
  return out;
}

std::string strip_quotes(std::string w) {
  while (!w.empty() && (w.front() == '"' || w.front() == '\'' || w.front() == '(' || w.front() == '{' || w.front() == '&'))
    w.erase(0, 1);
  while (!w.empty() && (w.back() == '"' || w.back() == '\'' || w.back() == ')' || w.back() == ';')) w.pop_back();
  return w;
}

// The program a command segment runs: its first word, past sudo/env/nohup
// and VAR=value assignments.
std::string segment_program(const std::vector<std::string>& words) {
  for (const auto& raw : words) {
    const std::string w = strip_quotes(raw);
    if (w.empty() || w.find('=') != std::string::npos) continue;
    const std::string b = base_name(w);
    if (b == "sudo" || b == "env" || b == "nohup" || b == "exec" || b == "busybox" || b == "command") continue;
    return b;
  }
  return "";
}

struct Match {
  std::string subtype, title, pattern, value, extra;  // extra: more evidence fields, ",\"k\":v" form
};

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// "stratum..." in any case with "://" within its first 20 bytes; looked at
// in place (every argument of every execution is), without a lower-case copy.
bool is_stratum_url(std::string_view v) {
  constexpr std::string_view kScheme = "stratum";
  if (v.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = v[i] >= 'A' && v[i] <= 'Z' ? static_cast<char>(v[i] - 'A' + 'a') : v[i];
    if (c != kScheme[i]) return false;
  }
  const auto sep = v.find("://");
  return sep != std::string_view::npos && sep < 20;
}

std::optional<Match> miner(const Names& names, const std::vector<std::string>& argv) {
  if (auto n = names.any_in(kMiners)) return Match{"miner", "crypto miner", "miner program name", *n, ""};
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--donate-level" || starts_with(a, "--donate-level="))
      return Match{"miner", "crypto miner", "--donate-level", a + (a.find('=') == std::string::npos && i + 1 < argv.size() ? " " + argv[i + 1] : ""), ""};
    // An option whose value is a stratum URL: -o URL, --url URL, --url=URL, -oURL.
    const auto eq = a.find('=');
    if (starts_with(a, "-") && eq != std::string::npos && is_stratum_url(std::string_view(a).substr(eq + 1)))
      return Match{"miner", "crypto miner", "stratum pool URL", a, ""};
    if (starts_with(a, "-") && !starts_with(a, "--") && a.size() > 2 && is_stratum_url(std::string_view(a).substr(2)))
      return Match{"miner", "crypto miner", "stratum pool URL", a, ""};
    if (is_stratum_url(a) && starts_with(argv[i - 1], "-"))
      return Match{"miner", "crypto miner", "stratum pool URL", argv[i - 1] + " " + a, ""};
  }
  return std::nullopt;
}

bool netcat_exec_option(const std::string& a) {
  if (a == "-e" || a == "-c" || a == "--exec" || a == "--sh-exec" || a == "--lua-exec") return true;
  if (starts_with(a, "--exec=") || starts_with(a, "--sh-exec=") || starts_with(a, "--lua-exec=")) return true;
  if (starts_with(a, "-e/")) return true;  // -e/bin/sh
  // A cluster of short options ending in e or c: -nve /bin/sh
  if (a.size() > 2 && a[0] == '-' && a[1] != '-' && (a.back() == 'e' || a.back() == 'c'))
    return std::all_of(a.begin() + 1, a.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  return false;
}

std::optional<Match> reverse_shell(const Names& names, const std::vector<std::string>& argv,
                                   const ExecutionFacts* facts) {
  const bool shell = names.any_in(kShells).has_value();
  if (shell && facts) {
    for (int fd : {0, 1}) {
      const auto* s = facts->stream(fd);
      if (s && !s->network.empty())
        return Match{"reverse_shell", "reverse shell", std::string(fd == 0 ? "shell stdin" : "shell stdout") + " is a network socket",
                     s->network, ",\"fd\":" + std::to_string(fd) + ",\"socket\":" + json_quote(s->target)};
    }
  }
  if (names.any_in(kNetcats)) {
    for (std::size_t i = 1; i < argv.size(); ++i)
      if (netcat_exec_option(argv[i]) && (i + 1 < argv.size() || argv[i].find('=') != std::string::npos ||
                                          starts_with(argv[i], "-e/")))
        return Match{"reverse_shell", "reverse shell", "netcat executing a program", join(argv), ""};
  }
  if (shell) {
    for (std::size_t i = 1; i < argv.size(); ++i)
      if (argv[i].find("/dev/tcp/") != std::string::npos || argv[i].find("/dev/udp/") != std::string::npos)
        return Match{"reverse_shell", "reverse shell", "shell redirection to /dev/tcp or /dev/udp", argv[i], ""};
  }
  if (names.any_in(std::array<std::string_view, 1>{"socat"})) {
    bool exec = false, net = false;
    for (std::size_t i = 1; i < argv.size(); ++i) {
      const std::string a = lower(argv[i]);
      if (starts_with(a, "exec:") || starts_with(a, "system:")) exec = true;
      if (starts_with(a, "tcp") || starts_with(a, "udp") || starts_with(a, "openssl") || starts_with(a, "sctp"))
        net = true;
    }
    if (exec && net) return Match{"reverse_shell", "reverse shell", "socat executing a program over the network", join(argv), ""};
  }
  return std::nullopt;
}

std::optional<Match> fileless(const ProcessInfo& p, const ExecutionFacts* facts) {
  for (const std::string* exe : {&p.exe, facts ? &facts->exe_link : nullptr}) {
    if (!exe || exe->empty()) continue;
    if (starts_with(*exe, "/memfd:") || starts_with(*exe, "memfd:"))
      return Match{"fileless", "fileless execution", "executable is a memfd (runs from memory)", *exe, ""};
    if (ends_with(*exe, " (deleted)"))
      return Match{"fileless", "fileless execution", "executable deleted after start", *exe, ""};
  }
  return std::nullopt;
}

std::optional<Match> shm_exec(const ProcessInfo& p, const ExecutionFacts* facts) {
  for (const std::string* exe : {&p.exe, facts ? &facts->exe_link : nullptr})
    if (exe && starts_with(*exe, "/dev/shm/"))
      return Match{"shm_exec", "execution from /dev/shm", "executable in /dev/shm", *exe, ""};
  return std::nullopt;
}

bool is_downloader_word(const std::string& w) { return in(kDownloaders, base_name(strip_quotes(w))); }

std::optional<Match> download_execute(const Names& names, const std::vector<std::string>& argv,
                                      const ExecutionFacts* facts) {
  // In the command line: "... curl URL | sh", "bash <(curl URL)".
  // Both need a separator or a substitution; most command lines have neither
  // (looked for in the arguments, before joining them).
  if (!facts && std::none_of(argv.begin(), argv.end(),
                             [](const std::string& a) { return a.find_first_of("|;&<$`") != std::string::npos; }))
    return std::nullopt;
  const std::string line = join(argv);
  std::vector<std::string> segments;
  std::size_t start = 0;
  auto separator = [&](std::size_t i) {
    const char c = line[i];
    if (c == '|' || c == ';') return true;
    if (c != '&') return false;
    // Not a separator: 2>&1, <&3, &> file, and the & of |& (a pipe).
    const char prev = i ? line[i - 1] : ' ', next = i + 1 < line.size() ? line[i + 1] : ' ';
    return prev != '>' && prev != '<' && prev != '|' && next != '>';
  };
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || separator(i)) {
      // "||", "&&", ";" end a pipeline: mark with an empty segment.
      const bool pipe = i < line.size() && line[i] == '|' && (i + 1 >= line.size() || line[i + 1] != '|') &&
                        (i == 0 || line[i - 1] != '|');
      segments.push_back(line.substr(start, i - start));
      if (!pipe && i < line.size()) segments.push_back("");
      start = i + 1;
    }
  }
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i].empty() || segments[i + 1].empty()) continue;
    const auto left = split_words(segments[i]);
    if (!std::any_of(left.begin(), left.end(), is_downloader_word)) continue;
    if (in(kShells, segment_program(split_words(segments[i + 1]))))
      return Match{"download_execute", "download and execute", "downloader piped into a shell", line, ""};
  }
  for (const auto& seg : segments) {
    const auto words = split_words(seg);
    if (words.empty() || !in(kShells, segment_program(words))) continue;
    for (const auto& w : words) {
      for (const char* sub : {"<(", "$(", "`"}) {
        const auto at = w.find(sub);
        if (at != std::string::npos && is_downloader_word(w.substr(at + std::string_view(sub).size())))
          return Match{"download_execute", "download and execute", "shell running a downloader's output", line, ""};
      }
    }
  }
  if (!facts) return std::nullopt;
  // Between siblings sharing a pipe (heuristic: the process table at the moment).
  auto peer_names = [](const ExecutionFacts::PipePeer& p) {
    std::vector<std::string> n{lower(p.comm)};
    const auto words = split_words(p.cmdline);
    if (!words.empty()) n.push_back(base_name(words[0]));
    return n;
  };
  auto peer_json = [](const ExecutionFacts::PipePeer& p) {
    return ",\"peer\":{\"pid\":" + std::to_string(p.pid) + ",\"comm\":" + json_quote(p.comm) +
           ",\"cmdline\":" + json_quote(p.cmdline) + ",\"pipe\":" + json_quote(p.pipe) + "}";
  };
  if (names.any_in(kShells)) {
    for (const auto& w : facts->stdin_writers)
      for (const auto& n : peer_names(w))
        if (in(kDownloaders, n))
          return Match{"download_execute", "download and execute", "shell reading a downloader's output through a pipe",
                       w.cmdline.empty() ? w.comm : w.cmdline, peer_json(w)};
  }
  if (names.any_in(kDownloaders)) {
    for (const auto& r : facts->stdout_readers)
      for (const auto& n : peer_names(r))
        if (in(kShells, n))
          return Match{"download_execute", "download and execute", "downloader writing into a shell through a pipe",
                       r.cmdline.empty() ? r.comm : r.cmdline, peer_json(r)};
  }
  return std::nullopt;
}

std::string hash_fields(const ExecutionFacts* facts) {
  if (!facts) return ",\"sha256\":null,\"hash_unavailable\":\"the process was not inspected (/proc not read)\"";
  std::string out = ",\"sha256\":" + (facts->sha256 ? json_quote(*facts->sha256) : std::string("null"));
  if (!facts->sha256) out += ",\"hash_unavailable\":" + json_quote(facts->hash_problem);
  if (facts->sha256 && !facts->hash_source.empty() && facts->hash_source.find("/root/") != std::string::npos)
    out += ",\"hash_source\":" + json_quote(facts->hash_source);
  if (facts->process_gone) out += ",\"process_gone\":true";
  if (facts->superseded) out += ",\"superseded\":true";
  if (!facts->exe_link.empty()) out += ",\"exe_link\":" + json_quote(facts->exe_link);
  return out;
}

std::string describe(const std::string& subtype) {
  if (subtype == "fingerprint")
    return "The executed file's SHA-256 is in the signature database (its name is in the evidence). Stop the "
           "container, keep the image and the file (hash in the evidence) for analysis, find how it got in, and "
           "rebuild from a trusted image.";
  if (subtype == "miner")
    return "A crypto-currency miner runs in the container. Stop the container, find how the miner got in (an "
           "exposed service, leaked credentials, a poisoned image), rotate credentials and rebuild from a trusted "
           "image.";
  if (subtype == "reverse_shell")
    return "A shell takes its commands from, or sends its output to, the network: someone may control the "
           "container remotely. Cut the container's network, note the peer address in the evidence, investigate "
           "the entry point, then stop and rebuild the container.";
  if (subtype == "fileless")
    return "The program runs from memory (memfd) or from a file deleted after it started, which leaves nothing on "
           "disk. Copy /proc/PID/exe and the process memory while it runs, then stop the container and "
           "investigate.";
  if (subtype == "shm_exec")
    return "A program was executed from /dev/shm, a memory filesystem attackers use to drop tools. Keep the file, "
           "stop the container and investigate how it was written.";
  return "Something downloaded is executed by a shell straight from the network. Check the URL in the evidence and "
         "what it delivered; if it is not an expected installer, stop and rebuild the container.";
}

}  // namespace

MaliciousProgramDetector::MaliciousProgramDetector(std::shared_ptr<const SignatureDb> signatures)
    : signatures_(std::move(signatures)) {}

std::vector<AuditRule> MaliciousProgramDetector::rules() const { return {exec_rule()}; }

bool MaliciousProgramDetector::wants(const AuditEvent& event) const {
  const AuditRecord* sys = event.syscall();
  if (!sys) return false;
  const std::string_view exe = sys->text_view("exe");
  if (starts_with(exe, "/memfd:") || ends_with(exe, " (deleted)") || starts_with(exe, "/dev/shm/")) return true;
  return is_exec_call(event) && sys->raw_view("success") == "yes";
}

void MaliciousProgramDetector::evaluate(const EventContext& ctx, std::vector<Alarm>& out) const {
  if (!ctx.container || is_runtime_process(ctx.process)) return;
  const AuditRecord* sys = ctx.event.syscall();
  if (!sys) return;
  const std::string_view syscall = sys->text_view("syscall");
  const bool exec = is_exec_syscall(syscall) && sys->raw_view("success") == "yes";
  std::vector<std::string> argv = exec_argv(ctx.event);
  if (argv.empty() && exec) argv = split_words(ctx.process.cmdline);
  // busybox APPLET ARGS: judge the applet.
  if (argv.size() > 1 && starts_with(base_name(argv[0]), "busybox")) argv.erase(argv.begin());
  const Names names = names_of(ctx.process, argv);
  const ExecutionFacts* facts = ctx.execution;

  std::vector<Match> matches;
  if (exec && facts && facts->sha256 && signatures_) {
    if (const std::string* name = signatures_->find(*facts->sha256))
      matches.push_back({"fingerprint", "known malicious file", "signature", *name,
                         ",\"signature\":" + json_quote(*name) + (facts->hash_cached ? ",\"hash_cached\":true" : "")});
  }
  if (exec) {
    if (auto m = miner(names, argv)) matches.push_back(*m);
    if (auto m = reverse_shell(names, argv, facts)) matches.push_back(*m);
  }
  if (auto m = fileless(ctx.process, facts)) matches.push_back(*m);
  if (auto m = shm_exec(ctx.process, facts)) matches.push_back(*m);
  if (exec)
    if (auto m = download_execute(names, argv, facts)) matches.push_back(*m);

  for (auto& m : matches) {
    Alarm a = make_alarm("malicious_program", m.subtype, m.title);
    a.syscall = syscall;
    a.evidence_json = "{\"pattern\":" + json_quote(m.pattern) + ",\"matched\":" + json_quote(m.value) + m.extra +
                      hash_fields(facts) + "}";
    a.description = describe(m.subtype);
    out.push_back(std::move(a));
  }
}

// EXECVE (the arguments); the command line is the process's.
bool MaliciousProgramDetector::reads_record(int record_type) const { return record_type == rec::kExecve; }

}  // namespace cshield
