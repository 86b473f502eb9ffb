#pragma once
// The in-process test API server: HTTPS on loopback (a CA and server
// certificate generated at start), bearer-token authentication, and the
// Kubernetes API of ApiCore. Tests start one, point a client or kubectl at
// url()/ca_pem() (or a kubeconfig from write_kubeconfig) and use the direct
// accessors and controls to arrange and observe.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/api_core.hpp"
#include "apiserver/authenticator.hpp"
#include "apiserver/controls.hpp"
#include "apiserver/crd_install.hpp"
#include "apiserver/tls.hpp"

namespace httplib {
class SSLServer;
}

namespace druid::testing {

struct TestApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  // Every open watch holds a thread, so the pool is large.
  std::size_t threads = 128;
  std::size_t event_log_limit = 10000;
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(60)};
  // The token of the "admin" user (group system:masters); random when empty.
  std::string admin_token;
  // Calls the webhooks of ValidatingWebhookConfigurations (admission.hpp).
  bool admission_webhooks = true;
  // Logs every request (method, path, user, status, duration) with spdlog.
  bool log_requests = false;
};

class TestApiServer {
 public:
  using Options = TestApiServerOptions;
  explicit TestApiServer(Options options);
  TestApiServer() : TestApiServer(Options{}) {}
  ~TestApiServer();
  TestApiServer(const TestApiServer&) = delete;
  TestApiServer& operator=(const TestApiServer&) = delete;

  // Binds, serves on a background thread and returns once accepting
  // connections. Throws std::runtime_error when the port cannot be bound.
  void start();
  // Ends open watches, stops accepting and joins the server threads.
  void stop();
  // stop(), then serves again on the same port with the same data, credentials and users: an API
  // server restart that keeps its storage (clients see refused connections meanwhile and their
  // watches end).
  void restart();

  std::string url() const;  // https://127.0.0.1:<port>
  int port() const { return port_; }
  const std::string& ca_pem() const { return tls_.ca_pem; }
  const std::string& admin_token() const { return admin_token_; }

  // A kubeconfig (cluster with the CA, user with `token`, the admin's when
  // empty; namespace "default") as text, or written to `path`.
  std::string kubeconfig(const std::string& token = {}) const;
  void write_kubeconfig(const std::filesystem::path& path, const std::string& token = {}) const;

  void add_user(const std::string& token, const std::string& username,
                std::vector<std::string> groups = {});
  // Adds a user with a random token (as the admin's) and returns the token.
  std::string add_user_with_random_token(const std::string& username,
                                         std::vector<std::string> groups = {});

  ApiCore& core() { return *core_; }
  Controls& controls() { return core_->controls(); }

  // Direct access, see ApiCore.
  std::optional<nlohmann::json> get(const std::string& resource, const std::string& ns,
                                    const std::string& name) const {
    return core_->get_object(resource, ns, name);
  }
  util::Expected<nlohmann::json, StatusError> put(nlohmann::json object) {
    return core_->put_object(std::move(object));
  }
  // Installs every CustomResourceDefinition in the YAML files of `dir` (crd_install.hpp).
  using CrdRules = druid::testing::CrdRules;
  void install_crds(const std::filesystem::path& dir, CrdRules rules = CrdRules::kCel);

  // Watch controls.
  void disconnect_watches() { core_->close_watches(); }
  void expire_next_watches(int n = 1) { core_->expire_next_watches(n); }
  void compact() { core_->compact(); }

 private:
  Options options_;
  std::unique_ptr<ApiCore> core_;
  Authenticator authenticator_;
  TlsCredentials tls_;
  std::string admin_token_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  std::atomic<bool> listening_done_{false};
  int port_ = 0;
};

}  // namespace druid::testing
