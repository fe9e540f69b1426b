// Arbitrary bytes as the kernel's binary audit messages (netlink datagrams:
// header, type, length that may lie, payload; AUDIT_REPLACE's pid), through
// the receiver's framing into text records and then the assembler. The
// datagrams travel over a socketpair, so the receiver's real read path runs.
// Input: byte 0 picks the length convention; then [len_hi len_lo bytes...]*.
// cshield reads no dispatcher binary format (plugin mode takes auditd's
// string format); this is the binary input it does read.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "audit/event_assembler.h"
#include "source/netlink_receiver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cshield;
  if (size < 1) return 0;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, fds) != 0) return 0;
  const int big = 4 * 1024 * 1024;
  setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  const auto length = (data[0] & 1) ? NetlinkReceiver::Length::kPayloadOnly : NetlinkReceiver::Length::kWithHeader;
  std::size_t at = 1, sent = 0;
  while (at + 2 <= size && sent < 2048) {
    std::size_t n = (static_cast<std::size_t>(data[at]) << 8) | data[at + 1];
    at += 2;
    if (n > size - at) n = size - at;
    if (send(fds[0], data + at, n, MSG_DONTWAIT) >= 0) ++sent;
    at += n;
  }
  close(fds[0]);
  Counters counters;
  NetlinkReceiver receiver(&counters);
  if (!receiver.attach(fds[1], length).ok()) return 0;
  std::string text;
  for (std::size_t reads = 0; sent && reads <= sent / 512; ++reads) receiver.read(text);
  receiver.shutdown(nullptr);
  EventAssembler assembler([](AuditEvent&&) {}, &counters);
  assembler.feed(text);
  assembler.flush();
  return 0;
}
