#pragma once
// The HTTPS server of the etcd-components protection webhook (upstream's
// internal/webhook/etcdcomponentprotection/register.go): serves /webhooks/etcdcomponents with the
// certificate and key from the cert dir (tls.crt, tls.key), reloading them when the files change.

#include <memory>
#include <string>
#include <vector>

#include "api/operator_config.hpp"
#include "kube/client.hpp"
#include "util/expected.hpp"

namespace druid::operator_ {

struct WebhookServerOptions {
  std::string bind_address;  // "" = all interfaces
  int port = 9443;           // 0 = any free port (tests)
  std::string cert_dir = "/etc/webhook-server-tls";
  // The reconciler's identity (system:serviceaccount:<ns>:<name>) and the
  // exempt service accounts of webhooks.etcdComponentProtection.
  std::string reconciler_service_account;
  std::vector<std::string> exempt_service_accounts;
};

// The options of the configuration's server.webhooks and
// webhooks.etcdComponentProtection. Fails when neither serviceAccountInfo nor
// reconcilerServiceAccountFQDN names the reconciler.
util::Expected<WebhookServerOptions, std::string> webhook_server_options(
    const api::OperatorConfiguration& config);

class WebhookServer {
 public:
  // Fails (without starting) when the certificate or key cannot be read.
  static util::Expected<std::unique_ptr<WebhookServer>, std::string> start(
      WebhookServerOptions options, kube::Client& client);
  virtual ~WebhookServer() = default;
  virtual int port() const = 0;
  virtual bool listening() const = 0;
  virtual void stop() = 0;
};

}  // namespace druid::operator_
