#include "api/gated_http_server.h"

#include <unistd.h>

#include <Poco/Net/HTTPServerConnectionFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Net/TCPServerDispatcher.h>

namespace cshield {

namespace {

Poco::Net::HTTPServerParams::Ptr server_params(int threads) {
  Poco::Net::HTTPServerParams::Ptr p = new Poco::Net::HTTPServerParams;
  p->setMaxThreads(threads);
  p->setMaxQueued(512);  // whole requests waiting for a thread; beyond, refused
  p->setServerName("cshield");
  p->setKeepAlive(false);  // see the header: no connection idles on a worker
  // Requests are whole before a worker sees them; this bounds only writing a
  // response to a client that does not read.
  p->setTimeout(Poco::Timespan(10, 0));
  return p;
}

}  // namespace

GatedHttpServer::GatedHttpServer(Poco::Net::ServerSocket socket, AbortableHandlerFactory* factory,
                                 Poco::ThreadPool& pool, int threads, const GateLimits& limits)
    : socket_(std::move(socket)),
      factory_(factory),
      dispatcher_(new Poco::Net::TCPServerDispatcher(
          new Poco::Net::HTTPServerConnectionFactory(server_params(threads), factory_), pool,
          server_params(threads))),
      gate_(socket_.impl()->sockfd(), limits, [this](int fd) { hand_over(fd); }) {}

// As Poco's TCPServer::run does with each accepted socket: the dispatcher
// queues it for a worker, and this thread's reference goes.
void GatedHttpServer::hand_over(int fd) {
  try {
    dispatcher_->enqueue(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)));
  } catch (...) {
    // The socket object owns fd by now and closed it: the client sees its connection end.
  }
}

GatedHttpServer::~GatedHttpServer() {
  stop();
  dispatcher_->release();
}

bool GatedHttpServer::start(std::string& error) { return gate_.start(error); }

void GatedHttpServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  gate_.stop();
  dispatcher_->stop();
  factory_->abort_connections();  // running connections shut their sockets
  socket_.close();
}

std::uint16_t GatedHttpServer::port() const {
  const Poco::Net::SocketAddress address = socket_.address();
  return address.family() == Poco::Net::SocketAddress::UNIX_LOCAL ? 0 : address.port();
}

}  // namespace cshield
