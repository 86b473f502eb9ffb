#pragma once
// A loopback TCP listener for error-path tests of the etcd client: it either
// never answers (accepts nothing; connections sit in the backlog, so requests
// time out) or answers every connection with one fixed HTTP response.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace druid::etcd::test {

class CannedHttpListener {
 public:
  // `response`: the raw bytes sent to each connection; nullopt = stay silent.
  explicit CannedHttpListener(std::optional<std::string> response)
      : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
    if (response_) thread_ = std::thread([this] { serve(); });
  }
  ~CannedHttpListener() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  CannedHttpListener(const CannedHttpListener&) = delete;
  CannedHttpListener& operator=(const CannedHttpListener&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    while (!stop_) {
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 50) <= 0) continue;
      const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      // Read the request head (enough for the small JSON bodies the client sends).
      char buffer[4096];
      pollfd in{conn, POLLIN, 0};
      if (::poll(&in, 1, 1000) > 0) (void)::read(conn, buffer, sizeof(buffer));
      (void)::write(conn, response_->data(), response_->size());
      ::shutdown(conn, SHUT_RDWR);
      ::close(conn);
    }
  }

  std::optional<std::string> response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace druid::etcd::test
