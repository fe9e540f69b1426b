// NetlinkReceiver::overflowed(): set by a socket overflow, cleared when a
// read() has read the socket empty. A NETLINK_USERSOCK multicast group
// stands in for the kernel's audit sender: a multicast that finds the
// receiver's buffer full flags the same overflow (ENOBUFS) the kernel's
// unicast does. Needs CAP_NET_ADMIN to send to a group (tests run as root).
#include <boost/test/unit_test.hpp>

#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "source/netlink_receiver.h"
#include "source/netlink_source.h"

using namespace cshield;

namespace {

constexpr unsigned kGroup = 5;

int netlink_socket(unsigned groups) {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = groups;
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

// Multicasts 1 KiB messages to the group, far more than the receiver's
// buffer holds. (Each send also fails as a unicast to the port the message
// names, 0, which no kernel socket has for NETLINK_USERSOCK; the multicast
// is delivered all the same.)
void flood(int sender, std::size_t payload = 1024, int messages = 5000) {
  std::string message(NLMSG_SPACE(payload), '\0');
  auto* header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_len = static_cast<std::uint32_t>(message.size());
  header->nlmsg_type = 1300;
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  to.nl_groups = 1u << (kGroup - 1);
  for (int i = 0; i < messages; ++i)
    (void)::sendto(sender, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(receiver_overflow)

BOOST_AUTO_TEST_CASE(an_overflowed_socket_must_be_read_empty_and_then_is_not_overflowed) {
  const int receiving = netlink_socket(1u << (kGroup - 1));
  BOOST_REQUIRE(set_receive_buffer(receiving, 4 * 1024 * 1024).ok());
  NetlinkReceiver receiver(nullptr);
  BOOST_REQUIRE(receiver.attach(receiving, NetlinkReceiver::Length::kWithHeader).ok());
  const int sender = netlink_socket(0);
  BOOST_TEST(!receiver.overflowed());

  flood(sender);
  BOOST_TEST(receiver.overflowed());  // flagged on the socket, no read() yet
  std::string ignored;
  BOOST_REQUIRE(receiver.read(ignored));  // one batch (512): the buffer holds more
  BOOST_TEST(receiver.overflowed());      // not empty yet
  int reads = 0;
  while (receiver.overflowed() && ++reads < 1000) BOOST_REQUIRE(receiver.read(ignored));
  BOOST_TEST(!receiver.overflowed());  // read empty
  BOOST_TEST(reads < 1000);
  ::close(sender);
}

// Every record queued in the audit daemon's socket is one that a new record
// (another container's, during a storm) waits behind, and in a storm the
// socket stays full. Its default buffer holds a few of the reader's reads
// (512 records each) of records the size of an audit record, not the 13 000
// an 8 MiB buffer held (about 60 ms of the alarm-storm benchmark's stream).
BOOST_AUTO_TEST_CASE(the_audit_daemons_socket_holds_a_few_reads_of_records_not_thousands) {
  const int receiving = netlink_socket(1u << (kGroup - 1));
  BOOST_REQUIRE(set_receive_buffer(receiving, NetlinkSourceOptions{}.receive_buffer_bytes).ok());
  const int sender = netlink_socket(0);
  flood(sender, 300, 30000);  // a SYSCALL record is 300-400 bytes of text
  int held = 0;
  char buffer[2048];
  while (true) {
    if (::recv(receiving, buffer, sizeof buffer, MSG_DONTWAIT) >= 0)
      ++held;
    else if (errno != ENOBUFS)  // the overflow is reported once, then the records
      break;
  }
  BOOST_TEST_MESSAGE("the socket held " << held << " records of 300 bytes");
  BOOST_TEST(held >= 512);   // at least one read's worth
  BOOST_TEST(held <= 3000);  // about 1 600
  ::close(sender);
  ::close(receiving);
}

BOOST_AUTO_TEST_SUITE_END()
