#include "rsyslog_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace e2e {

namespace {

// A loopback port the kernel just handed out for `type` (free right now).
int free_port(int type) {
  const int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t l = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool tcp_accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Rsyslogd::Rsyslogd() {
  udp_port_ = free_port(SOCK_DGRAM);
  tcp_port_ = free_port(SOCK_STREAM);
  const std::string d = dir_.path();
  std::ofstream(d + "/rsyslog.conf")
      << "global(workDirectory=\"" << d << "\" maxMessageSize=\"64k\")\n"
      << "module(load=\"imudp\")\nmodule(load=\"imtcp\")\n"
      << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << udp_port_ << "\")\n"
      << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << tcp_port_ << "\")\n"
      << "template(name=\"fields\" type=\"string\" "
         "string=\"%syslogfacility% %syslogseverity% %app-name% %procid% %msgid% %msg%\\n\")\n"
      << "action(type=\"omfile\" file=\"" << d << "/messages\" template=\"fields\")\n";
}

Rsyslogd::~Rsyslogd() { stop(); }

void Rsyslogd::start() {
  const std::string d = dir_.path();
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open((d + "/stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    const std::string conf = d + "/rsyslog.conf", pidfile = d + "/rsyslogd.pid";
    ::execlp("rsyslogd", "rsyslogd", "-n", "-f", conf.c_str(), "-i", pidfile.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (!eventually([&] { return tcp_accepts(tcp_port_); }, std::chrono::seconds(10))) {
    stop();
    throw std::runtime_error("rsyslogd did not listen on tcp port " + std::to_string(tcp_port_) + ":\n" +
                             stderr_text());
  }
}

void Rsyslogd::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::vector<std::string> Rsyslogd::messages() const {
  std::ifstream in(dir_.path() + "/messages");
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string Rsyslogd::stderr_text() const {
  std::ifstream in(dir_.path() + "/stderr");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace e2e
