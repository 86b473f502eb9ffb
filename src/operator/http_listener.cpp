#include "operator/http_listener.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

namespace druid::operator_ {
namespace {

constexpr std::size_t kThreads = 4;

}  // namespace

void refuse_port_sharing(httplib::Server& server) {
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

HttpListener::HttpListener(PassKey) : server_(std::make_unique<httplib::Server>()) {}

HttpListener::~HttpListener() {
  stop();
}

util::Expected<std::unique_ptr<HttpListener>, std::string> HttpListener::start(
    const std::string& name, const ListenAddress& address, const Routes& routes) {
  auto listener = std::make_unique<HttpListener>(PassKey{});
  httplib::Server& server = *listener->server_;
  routes(server);
  refuse_port_sharing(server);
  // A few threads suffice for scrapes and probes; each keep-alive connection
  // (Prometheus keeps one) holds a thread while open, so not fewer than four.
  // httplib takes ownership of the queue it is handed (its API is a raw pointer).
  server.new_task_queue = [] {
    return new httplib::ThreadPool(kThreads);  // NOLINT(cppcoreguidelines-owning-memory)
  };

  const std::string host = address.host.empty() ? "0.0.0.0" : address.host;
  if (address.port == 0) {
    listener->port_ = server.bind_to_any_port(host);
  } else if (server.bind_to_port(host, address.port)) {
    listener->port_ = address.port;
  } else {
    listener->port_ = -1;
  }
  if (listener->port_ < 0) {
    return util::unexpected(name + ": cannot listen on " + host + ":" +
                            std::to_string(address.port) +
                            " (address in use or not available on this host)");
  }
  listener->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // stop() has no effect until the accept loop runs: wait for it, so a stop
  // right after start cannot be lost (the loop starts within microseconds).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return listener;
}

void HttpListener::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace druid::operator_
