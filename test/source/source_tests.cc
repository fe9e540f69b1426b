#define BOOST_TEST_MODULE source
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/counters.h"
#include "rules/fake_audit_control.h"
#include "source/audit_mode.h"
#include "source/audit_record_format.h"
#include "source/file_source.h"
#include "support/counter_value.h"

using namespace cshield;
namespace fs = std::filesystem;

namespace {

const std::string kFixture = std::string(CSHIELD_SOURCE_DIR) + "/test/data/source/audit.log";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The non-empty lines of `text`, each ending in '\n': what a source must hand out.
std::string expected_lines(const std::string& text, std::size_t* count = nullptr) {
  std::istringstream in(text);
  std::string line, out;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    out += line + "\n";
    ++n;
  }
  if (count) *count = n;
  return out;
}

std::string read_all(RecordSource& source) {
  std::string out;
  for (int calls = 0; source.read(out); ++calls) BOOST_REQUIRE(calls < 10'000'000);
  return out;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/cshield-source-test-XXXXXX";
    const int fd = mkstemp(name);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    close(fd);
    path = name;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(file_source_returns_whole_lines_for_every_chunk_size) {
  const std::string text = slurp(kFixture);
  std::size_t lines = 0;
  const std::string expected = expected_lines(text, &lines);
  BOOST_REQUIRE(lines == 9u);
  for (std::size_t chunk : {1u, 2u, 7u, 64u, 333u, 4096u, 1u << 20}) {
    Counters counters;
    FileSource source(kFixture, &counters, chunk);
    BOOST_REQUIRE_MESSAGE(source.is_open(), source.error());
    std::string out;
    // Every call hands out whole lines only.
    while (source.read(out)) BOOST_TEST((out.empty() || out.back() == '\n'));
    BOOST_TEST(out == expected, "chunk " << chunk);
    for (const auto& c : counters.snapshot()) {
      if (c.name == "source.records") BOOST_TEST(c.value == lines);
      if (c.name == "source.bytes") BOOST_TEST(c.value == text.size());
    }
    BOOST_TEST(!source.read(out));  // stays ended
  }
}

BOOST_AUTO_TEST_CASE(file_source_returns_a_last_line_without_newline_and_skips_blank_lines) {
  TempFile file("type=A msg=audit(1.0:1): x=1\n\n\ntype=B msg=audit(1.0:2): y=2");
  for (std::size_t chunk : {1u, 5u, 100u}) {
    FileSource source(file.path, nullptr, chunk);
    BOOST_TEST(read_all(source) == "type=A msg=audit(1.0:1): x=1\ntype=B msg=audit(1.0:2): y=2\n");
  }
  TempFile empty("");
  FileSource source(empty.path);
  BOOST_TEST(read_all(source).empty());
}

// Reads whose lines hold no blank one go on in one piece; the others line by
// line. Either way blank lines are skipped and every record is counted once.
BOOST_AUTO_TEST_CASE(file_source_counts_records_and_skips_blank_lines_in_every_chunk) {
  TempFile file("\ntype=A msg=audit(1.0:1): x=1\ntype=B msg=audit(1.0:2): y=2\n\ntype=C msg=audit(1.0:3): z=3\n"
                "type=D msg=audit(1.0:4): w=4\n\n\ntype=E msg=audit(1.0:5): v=5");
  for (std::size_t chunk : {1u, 3u, 29u, 30u, 31u, 60u, 64u, 4096u}) {
    Counters counters;
    FileSource source(file.path, &counters, chunk);
    BOOST_TEST(read_all(source) ==
                   "type=A msg=audit(1.0:1): x=1\ntype=B msg=audit(1.0:2): y=2\ntype=C msg=audit(1.0:3): z=3\n"
                   "type=D msg=audit(1.0:4): w=4\ntype=E msg=audit(1.0:5): v=5\n",
               "chunk " << chunk);
    BOOST_TEST(cshield::testing::counter_value(counters, "source.records") == 5u, "chunk " << chunk);
  }
}

BOOST_AUTO_TEST_CASE(file_source_reads_the_shared_go_libaudit_logs) {
  const fs::path dir = fs::path(CSHIELD_SHARED_DIR) / "data/audit-logs/go-libaudit";
  BOOST_REQUIRE_MESSAGE(fs::is_directory(dir), dir << " is missing");
  std::size_t files = 0, unterminated = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    ++files;
    const std::string text = slurp(entry.path());
    if (!text.empty() && text.back() != '\n') ++unterminated;
    const std::string expected = expected_lines(text);
    for (std::size_t chunk : {13u, 4096u}) {
      FileSource source(entry.path().string(), nullptr, chunk);
      BOOST_TEST(read_all(source) == expected, entry.path() << " chunk " << chunk);
    }
  }
  BOOST_TEST(files >= 10u);
  BOOST_TEST(unterminated >= 1u);  // the no-final-newline case is really exercised
}

BOOST_AUTO_TEST_CASE(file_source_reports_an_unreadable_path) {
  FileSource source("/nonexistent/cshield/audit.log");
  BOOST_TEST(!source.is_open());
  BOOST_TEST(source.error().find("/nonexistent/cshield/audit.log") != std::string::npos);
  std::string out;
  BOOST_TEST(!source.read(out));
}

BOOST_AUTO_TEST_CASE(file_source_on_a_pipe_keeps_partial_lines_and_stops) {
  int fds[2];
  BOOST_REQUIRE(pipe(fds) == 0);
  FileSource source(fds[0], "plugin");
  BOOST_TEST(source.mode() == "plugin");
  const std::string first = "type=A msg=audit(1.0:1): x=1\ntype=B msg=";
  BOOST_REQUIRE(write(fds[1], first.data(), first.size()) == static_cast<ssize_t>(first.size()));
  std::string out;
  BOOST_TEST(source.read(out));
  BOOST_TEST(out == "type=A msg=audit(1.0:1): x=1\n");
  BOOST_TEST(source.read(out));  // nothing more yet: a poll timeout
  BOOST_TEST(out == "type=A msg=audit(1.0:1): x=1\n");
  const std::string rest = "audit(1.0:2): y=2\n";
  BOOST_REQUIRE(write(fds[1], rest.data(), rest.size()) == static_cast<ssize_t>(rest.size()));
  BOOST_TEST(source.read(out));
  BOOST_TEST(out == "type=A msg=audit(1.0:1): x=1\ntype=B msg=audit(1.0:2): y=2\n");
  source.stop();
  BOOST_TEST(!source.read(out));
  close(fds[1]);
  close(fds[0]);  // the source does not own it
}

BOOST_AUTO_TEST_CASE(netlink_messages_are_formatted_as_log_lines) {
  std::string out;
  const char payload[] = "audit(1764175801.123:42): arch=c000003e syscall=101\0\0";
  append_audit_record(1300, std::string_view(payload, sizeof(payload) - 1), out);
  BOOST_TEST(out == "type=SYSCALL msg=audit(1764175801.123:42): arch=c000003e syscall=101\n");
  out.clear();
  append_audit_record(1320, "audit(1.000:7): ", out);
  BOOST_TEST(out == "type=EOE msg=audit(1.000:7): \n");
  out.clear();
  append_audit_record(2999, std::string_view("audit(1.000:8): a\nb\0c", 21), out);
  BOOST_TEST(out == "type=UNKNOWN[2999] msg=audit(1.000:8): a b c\n");

  BOOST_TEST(!is_audit_record_type(2));     // NLMSG_ERROR
  BOOST_TEST(!is_audit_record_type(3));     // NLMSG_DONE
  BOOST_TEST(!is_audit_record_type(1000));  // AUDIT_GET reply
  BOOST_TEST(!is_audit_record_type(1329));  // AUDIT_REPLACE probe (binary)
  BOOST_TEST(is_audit_record_type(1100));   // user messages
  BOOST_TEST(is_audit_record_type(1300));
  BOOST_TEST(is_audit_record_type(1320));
}

BOOST_AUTO_TEST_CASE(audit_mode_follows_the_registered_daemon) {
  testing::FakeAuditControl control;
  std::string error;
  control.kernel.pid = 0;
  BOOST_TEST(detect_audit_mode(control, error) == "netlink");
  control.kernel.pid = static_cast<std::uint32_t>(getpid());
  BOOST_TEST(detect_audit_mode(control, error) == "multicast");

  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) _exit(0);
  BOOST_REQUIRE(waitpid(child, nullptr, 0) == child);
  control.kernel.pid = static_cast<std::uint32_t>(child);  // a daemon that died: take over
  BOOST_TEST(detect_audit_mode(control, error) == "netlink");

  control.status_error = "cannot open the audit netlink socket: Permission denied";
  BOOST_TEST(detect_audit_mode(control, error).empty());
  BOOST_TEST(error == control.status_error);
}
