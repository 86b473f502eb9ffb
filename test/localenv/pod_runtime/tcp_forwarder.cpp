#include "localenv/pod_runtime/tcp_forwarder.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace druid::localenv {

util::Expected<int, std::string> TcpForwarder::start(const std::string& listen_host,
                                                     int listen_port,
                                                     const std::string& target_host,
                                                     int target_port) {
  target_host_ = target_host;
  target_port_ = target_port;
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0)
    return util::Unexpected<std::string>{std::string("socket: ") + strerror(errno)};
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(listen_port));
  if (inet_pton(AF_INET, listen_host.c_str(), &addr.sin_addr) != 1 ||
      bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 64) != 0) {
    const std::string error = strerror(errno);
    close(listen_fd_);
    listen_fd_ = -1;
    return util::Unexpected<std::string>{"listen on " + listen_host + ":" +
                                         std::to_string(listen_port) + ": " + error};
  }
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  acceptor_ = std::thread([this] { accept_loop(); });
  return static_cast<int>(ntohs(addr.sin_port));
}

void TcpForwarder::stop() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::thread> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (auto& t : connections) t.join();
}

void TcpForwarder::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, client] { pipe_connection(client); });
  }
}

void TcpForwarder::pipe_connection(int client_fd) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int upstream = -1;
  if (getaddrinfo(target_host_.c_str(), std::to_string(target_port_).c_str(), &hints, &found) ==
      0) {
    for (auto* a = found; a != nullptr && upstream < 0; a = a->ai_next) {
      upstream = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (upstream >= 0 && connect(upstream, a->ai_addr, a->ai_addrlen) != 0) {
        close(upstream);
        upstream = -1;
      }
    }
    freeaddrinfo(found);
  }
  if (upstream < 0) {
    close(client_fd);
    return;
  }
  char buffer[16384];
  pollfd fds[2] = {{client_fd, POLLIN, 0}, {upstream, POLLIN, 0}};
  bool open = true;
  while (open && !stop_) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const auto n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n <= 0) {
        open = false;
        break;
      }
      const int out = fds[1 - i].fd;
      for (ssize_t sent = 0; sent < n;) {
        const auto w = send(out, buffer + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
        if (w <= 0) {
          open = false;
          break;
        }
        sent += w;
      }
    }
  }
  close(client_fd);
  close(upstream);
}

}  // namespace druid::localenv
