// The receive side shared by NetlinkSource and MulticastSource: owns a
// NETLINK_AUDIT socket, waits on it with a 200 ms poll that a stop request
// interrupts, and drains every message immediately available (up to a batch
// limit, many per recvmmsg call) into text records. It drains as soon as
// records arrive, never waiting for more: a container process that makes a
// call and exits is only attributable while it (or its runtime parent) is
// still there to be looked up, so every millisecond here loses some. Counts in Counters (optional, must outlive it):
// source.records, source.bytes, source.overruns (ENOBUFS: the socket buffer
// overflowed: records multicast to it were lost; unicast ones the kernel
// holds for a retry), source.malformed, source.own_records (cshieldd's own
// records, core/own_record_types.h, skipped unformatted).
// Thread-safety: read() from one thread; shutdown() from any thread, it
// wakes a blocked read() and waits for it to return before closing.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/counters.h"
#include "rules/audit_control.h"

namespace cshield {

// Asks for `bytes` of socket receive buffer, beyond rmem_max when privileged.
Result set_receive_buffer(int fd, int bytes);

class NetlinkReceiver {
 public:
  // How the sender fills nlmsg_len. The kernel's unicast to the audit daemon
  // counts only the payload (a historic quirk auditd depends on); its
  // multicast copies count the header too, as netlink intends.
  enum class Length { kPayloadOnly, kWithHeader };

  explicit NetlinkReceiver(Counters* counters);
  ~NetlinkReceiver();
  NetlinkReceiver(const NetlinkReceiver&) = delete;
  NetlinkReceiver& operator=(const NetlinkReceiver&) = delete;

  // Takes ownership of `fd` (closed on failure too).
  Result attach(int fd, Length length);
  bool attached() const;

  // As RecordSource::read: false once shut down (or never attached).
  bool read(std::string& out);

  // True from a socket overflow (ENOBUFS, or the error the kernel flags on
  // the socket while no read() runs) until a read() finds the socket empty.
  // The reader thread only.
  bool overflowed();

  // The pid of the last process that asked the kernel to become the audit
  // daemon in our place (the kernel's AUDIT_REPLACE notice to the registered
  // one; our own requests are left out); 0 when none did. Any thread.
  std::uint32_t replace_requested_by() const { return replace_pid_.load(); }

  // Makes read() return false from now on, then, with no read() running,
  // calls `before_close(fd)` (if given) and closes the socket. Idempotent.
  void shutdown(const std::function<void(int fd)>& before_close);

 private:
  // Reads what is there, up to a batch; true when it read the socket empty.
  bool drain(std::string& out);
  void append_message(const char* data, std::size_t size, std::string& out);

  Counter* records_ = nullptr;
  Counter* bytes_ = nullptr;
  Counter* overruns_ = nullptr;
  Counter* malformed_ = nullptr;
  Counter* own_records_ = nullptr;
  mutable std::mutex mu_;  // held by read() and by shutdown() around close
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint32_t> replace_pid_{0};
  int fd_ = -1;
  const int wake_fd_;  // eventfd, lives as long as the receiver
  Length length_ = Length::kWithHeader;
  bool overflowed_ = false;
  std::vector<char> buffer_;    // kSlots receive slots of kSlotSize bytes
};

}  // namespace cshield
