#include "harness.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace e2e {

namespace fs_detail {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}
}  // namespace fs_detail
using fs_detail::read_file;
using fs_detail::write_file;

CommandResult sh(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool eventually(const std::function<bool()>& check, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return check();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, not a wait for a result
  }
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/cshield-e2e-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}
TempDir::~TempDir() { sh("rm -rf " + sh_quote(path_)); }

std::string alarms_text(const std::vector<Poco::JSON::Object::Ptr>& alarms) {
  std::string out;
  for (const auto& a : alarms) {
    std::ostringstream o;
    a->stringify(o);
    out += o.str() + "\n";
  }
  return out;
}

AuditState AuditState::read() {
  AuditState s;
  std::istringstream st(sh("auditctl -s").output);
  std::string key, value;
  while (st >> key >> value) {
    if (key == "enabled") s.enabled = value;
    else if (key == "pid") s.pid = value;
    else if (key == "backlog_limit") s.backlog_limit = value;
    else if (key == "backlog_wait_time") s.backlog_wait_time = value;
    std::string rest;
    std::getline(st, rest);
  }
  std::istringstream rl(sh("auditctl -l").output);
  std::string line;
  while (std::getline(rl, line))
    if (!line.empty() && line != "No rules") s.rules.push_back(line);
  return s;
}

std::vector<std::string> AuditState::cshield_rules() const {
  std::vector<std::string> out;
  for (const auto& r : rules)
    if (r.find("cshield.") != std::string::npos) out.push_back(r);
  return out;
}

std::string helper_binary() { return CSHIELD_E2E_HELPER; }
std::string cshieldd_binary() { return std::string(CSHIELD_BINARY_DIR) + "/src/programs/cshieldd"; }

Daemon::Daemon(const std::string& mode, const std::string& extra_config) : mode_(mode), extra_(extra_config) {
  socket_ = dir_.path() + "/api.sock";
  config_ = dir_.path() + "/cshield.conf";
  log_ = dir_.path() + "/cshieldd.log";
  write_file(config_, "[audit]\nmode = " + mode_ + "\n[storage]\ndatabase = " + dir_.path() +
                          "/alarms.db\n[api]\nsocket = " + socket_ + "\nlisten =\n" + extra_);
}

Daemon::~Daemon() {
  if (pid_ > 0) stop();
}

void Daemon::start() {
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    const std::string bin = cshieldd_binary();
    ::execl(bin.c_str(), bin.c_str(), "--config", config_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const bool up = eventually(
      [&] {
        int st;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
          pid_ = -1;
          throw std::runtime_error("cshieldd exited during start:\n" + log());
        }
        auto r = sh("curl -sf --max-time 1 --unix-socket " + sh_quote(socket_) + " http://cshield/healthz");
        return r.status == 0 && r.output.find("\"ok\"") != std::string::npos;
      },
      std::chrono::seconds(15));
  if (!up) throw std::runtime_error("cshieldd did not become healthy:\n" + log());
}

int Daemon::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int st = 0;
  const bool exited = eventually([&] { return ::waitpid(pid_, &st, WNOHANG) == pid_; }, std::chrono::seconds(15));
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
  }
  pid_ = -1;
  return exited && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void Daemon::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string Daemon::database() const { return dir_.path() + "/alarms.db"; }

std::string Daemon::log() const { return read_file(log_); }

void Daemon::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

Poco::JSON::Object::Ptr Daemon::get(const std::string& path) const {
  auto r = sh("curl -s --max-time 5 --unix-socket " + sh_quote(socket_) + " " + sh_quote("http://cshield" + path));
  if (r.status != 0) throw std::runtime_error("GET " + path + " failed: " + r.output);
  Poco::JSON::Parser parser;
  return parser.parse(r.output).extract<Poco::JSON::Object::Ptr>();
}

std::vector<Poco::JSON::Object::Ptr> Daemon::alarms(const std::string& query) const {
  std::vector<Poco::JSON::Object::Ptr> out;
  auto page = get("/api/v1/alarms?limit=1000" + (query.empty() ? "" : "&" + query));
  auto items = page->getArray("items");
  for (std::size_t i = 0; items && i < items->size(); ++i) out.push_back(items->getObject(i));
  return out;
}

void build_rootfs(const std::string& dir) {
  const std::string q = sh_quote(dir);
  auto r = sh("set -e; mkdir -p " + q + "/bin " + q + "/etc " + q + "/proc " + q + "/dev " + q + "/sys " + q +
              "/tmp " + q + "/ctl " + q + "/hostetc; cp \"$(command -v busybox)\" " + q +
              "/bin/busybox; for c in sh cat ls id sleep true echo; do ln -sf busybox " + q +
              "/bin/$c; done; cp " + sh_quote(helper_binary()) + " " + q + "/helper");
  if (r.status != 0) throw std::runtime_error("building the rootfs failed: " + r.output);
  write_file(dir + "/etc/passwd", "root:x:0:0:root:/:/bin/sh\n");
  write_file(dir + "/etc/shadow", "root:*:19000:0:99999:7:::\n", 0640);
  write_file(dir + "/etc/hostname", "e2e\n");
}

namespace {

// The container's init: run the helper for every line written to the FIFO.
const char* kControlLoop =
    "while true; do read -r cmd < /ctl/fifo; HELPER_LOG=/ctl/log /helper $cmd; done";

void make_control_dir(const std::string& ctl) {
  sh("mkdir -p " + sh_quote(ctl));
  ::mkfifo((ctl + "/fifo").c_str(), 0666);
  write_file(ctl + "/log", "", 0666);
}

}  // namespace

int drive_helper(const std::string& ctl_dir, const std::string& args, std::size_t& seen_lines,
                 std::chrono::seconds deadline) {
  // Open the FIFO without blocking: ENXIO until the container's loop reads.
  int fd = -1;
  if (!eventually([&] { return (fd = ::open((ctl_dir + "/fifo").c_str(), O_WRONLY | O_NONBLOCK)) >= 0; },
                  std::chrono::seconds(10)))
    throw std::runtime_error("the container's control loop is not reading " + ctl_dir + "/fifo");
  const std::string line = args + "\n";
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    ::close(fd);
    throw std::runtime_error("short write to the control FIFO");
  }
  ::close(fd);
  std::string last;
  if (!eventually(
          [&] {
            std::istringstream in(read_file(ctl_dir + "/log"));
            std::string l;
            std::size_t n = 0;
            while (std::getline(in, l)) {
              if (++n > seen_lines) last = l;
            }
            if (n > seen_lines) {
              seen_lines = n;
              return true;
            }
            return false;
          },
          deadline))
    throw std::runtime_error("the helper did not report '" + args + "'");
  return std::stoi(last);
}

RuncContainer::RuncContainer(const std::string& id, const std::vector<std::pair<std::string, std::string>>& mounts,
                             const std::function<void(Poco::JSON::Object::Ptr)>& edit_spec)
    : id_(id) {
  const std::string bundle = dir_.path() + "/bundle";
  build_rootfs(bundle + "/rootfs");
  make_control_dir(dir_.path() + "/ctl");
  auto r = sh("cd " + sh_quote(bundle) + " && runc spec");
  if (r.status != 0) throw std::runtime_error("runc spec: " + r.output);
  // config.json: no terminal, the control loop as init, /ctl and extra mounts bound in.
  Poco::JSON::Parser parser;
  auto spec = parser.parse(read_file(bundle + "/config.json")).extract<Poco::JSON::Object::Ptr>();
  auto process = spec->getObject("process");
  process->set("terminal", false);
  Poco::JSON::Array::Ptr args = new Poco::JSON::Array;
  args->add("/bin/sh");
  args->add("-c");
  args->add(kControlLoop);
  process->set("args", args);
  auto root = spec->getObject("root");
  root->set("readonly", false);
  auto mounts_json = spec->getArray("mounts");
  auto add_bind = [&](const std::string& src, const std::string& dst, bool ro) {
    Poco::JSON::Object::Ptr m = new Poco::JSON::Object;
    m->set("destination", dst);
    m->set("type", "bind");
    m->set("source", src);
    Poco::JSON::Array::Ptr opts = new Poco::JSON::Array;
    opts->add("rbind");
    opts->add(ro ? "ro" : "rw");
    m->set("options", opts);
    mounts_json->add(m);
  };
  add_bind(dir_.path() + "/ctl", "/ctl", false);
  for (const auto& [src, dst] : mounts) add_bind(src, dst, true);
  if (edit_spec) edit_spec(spec);
  std::ostringstream out;
  spec->stringify(out, 2);
  write_file(bundle + "/config.json", out.str());
  r = sh("runc run -d --bundle " + sh_quote(bundle) + " " + sh_quote(id_) + " </dev/null >/dev/null");
  if (r.status != 0) throw std::runtime_error("runc run: " + r.output);
}

RuncContainer::~RuncContainer() {
  sh("runc kill " + sh_quote(id_) + " KILL; runc delete -f " + sh_quote(id_));
}

int RuncContainer::init_pid() const {
  auto r = sh("runc state " + sh_quote(id_));
  Poco::JSON::Parser parser;
  return parser.parse(r.output).extract<Poco::JSON::Object::Ptr>()->getValue<int>("pid");
}

int RuncContainer::run_helper(const std::string& args, std::chrono::seconds deadline) {
  return drive_helper(dir_.path() + "/ctl", args, log_lines_, deadline);
}

CommandResult RuncContainer::exec(const std::string& command_line) {
  return sh("runc exec " + sh_quote(id_) + " " + command_line + " </dev/null");
}

std::string DockerContainer::image() { return "cshield-e2e-busybox:latest"; }

DockerContainer::DockerContainer(const std::string& name, const std::string& extra_run_args) : name_(name) {
  TempDir root;
  build_rootfs(root.path());
  auto r = sh("tar -C " + sh_quote(root.path()) + " -c . | docker import - " + image());
  if (r.status != 0) throw std::runtime_error("docker import: " + r.output);
  make_control_dir(dir_.path() + "/ctl");
  sh("docker rm -f " + sh_quote(name_) + " >/dev/null 2>&1");
  r = sh("docker run -d --network none --name " + sh_quote(name_) + " -v " + sh_quote(dir_.path() + "/ctl") +
         ":/ctl " + extra_run_args + " " + image() + " /bin/sh -c " + sh_quote(kControlLoop));
  if (r.status != 0) throw std::runtime_error("docker run: " + r.output);
  id_ = r.output.substr(0, r.output.find_first_of("\r\n"));
}

DockerContainer::~DockerContainer() { sh("docker rm -f " + sh_quote(name_)); }

int DockerContainer::run_helper(const std::string& args, std::chrono::seconds deadline) {
  return drive_helper(dir_.path() + "/ctl", args, log_lines_, deadline);
}

}  // namespace e2e
