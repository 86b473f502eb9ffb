#pragma once
// A TCP forwarder: listens on the bridge's host address and copies bytes to
// and from the API server, so processes in pod namespaces (which have no
// route to the host's loopback) reach it.

#include <atomic>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "util/expected.hpp"

namespace druid::localenv {

class TcpForwarder {
 public:
  TcpForwarder() = default;
  ~TcpForwarder() { stop(); }
  TcpForwarder(const TcpForwarder&) = delete;
  TcpForwarder& operator=(const TcpForwarder&) = delete;

  // Listens on listen_host:listen_port (0 = any free port); returns the port.
  util::Expected<int, std::string> start(const std::string& listen_host, int listen_port,
                                         const std::string& target_host, int target_port);
  void stop();

 private:
  void accept_loop();
  void pipe_connection(int client_fd);

  int listen_fd_ = -1;
  std::string target_host_;
  int target_port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::list<std::thread> connections_;
};

}  // namespace druid::localenv
