#pragma once
// A plain-HTTP server (cpp-httplib) on its own thread, for /metrics and the
// probes. It binds in start(), so a taken port is a start-up error, and
// answers until stop() or destruction.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "operator/config_mapping.hpp"
#include "util/expected.hpp"

namespace httplib {
class Server;
}

namespace druid::operator_ {

// Binds with SO_REUSEADDR only. httplib's default also sets SO_REUSEPORT, which
// lets a second process bind the same port and silently take half of its
// connections; a taken port must be a start-up error instead.
void refuse_port_sharing(httplib::Server& server);

class HttpListener {
 public:
  using Routes = std::function<void(httplib::Server&)>;

  // `name` names the server in errors ("metrics server"). An empty host binds
  // every IPv4 interface; port 0 picks a free port.
  static util::Expected<std::unique_ptr<HttpListener>, std::string> start(
      const std::string& name, const ListenAddress& address, const Routes& routes);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const { return port_; }
  void stop();

 private:
  struct PassKey {};  // only start() constructs listeners

 public:
  explicit HttpListener(PassKey);

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace druid::operator_
