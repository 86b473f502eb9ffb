#pragma once
// Credentials from a kubeconfig's exec plugin (client.authentication.k8s.io
// ExecCredential v1 and v1beta1), run and cached as client-go's exec
// authenticator does (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go):
// the plugin runs when no credential is cached or the cached one has expired,
// and again after the server answered 401 Unauthorized to the current one.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kube/clock.hpp"
#include "kube/rest_config.hpp"
#include "util/expected.hpp"

namespace druid::kube {

// What a plugin returned (its ExecCredential's status).
struct ExecCredential {
  std::string token;
  std::string client_cert_pem, client_key_pem;  // both or neither
  std::optional<util::Time> expiration;         // none: valid until the server refuses it
};

// The cluster a plugin is told about when provideClusterInfo is set.
struct ExecClusterInfo {
  std::string server;
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
};

// The ExecCredential (spec only) handed to a plugin in $KUBERNETES_EXEC_INFO:
// spec.interactive is always false here (no terminal is ever passed on), and
// spec.cluster is set only when the plugin asked for it (provideClusterInfo).
std::string exec_info_json(const ExecConfig& config, const ExecClusterInfo& cluster);

// Decodes a plugin's standard output. Errors name the wrong field, e.g.
// `returned apiVersion "x", expected "client.authentication.k8s.io/v1"`.
util::Expected<ExecCredential, std::string> parse_exec_credential(std::string_view output,
                                                                  std::string_view api_version);

// Runs a plugin and caches what it returns. Thread-safe: concurrent requests
// wait for one run of the plugin instead of starting their own.
class ExecCredentialSource {
 public:
  using Credential = std::shared_ptr<const ExecCredential>;

  ExecCredentialSource(ExecConfig config, ExecClusterInfo cluster,
                       const Clock& clock = system_clock());

  // The cached credential while it has not expired, else a fresh one from the
  // plugin. Errors name the kubeconfig user, the command and what failed.
  util::Expected<Credential, std::string> get();

  // After the server refused `used` with 401: runs the plugin again unless the
  // cached credential is already another one (a concurrent request refreshed it).
  util::Expected<Credential, std::string> refresh_after_unauthorized(const Credential& used);

  const ExecConfig& config() const { return config_; }

 private:
  util::Expected<Credential, std::string> run_locked();

  const ExecConfig config_;
  const ExecClusterInfo cluster_;
  const Clock& clock_;
  std::mutex mu_;  // held while the plugin runs
  Credential cached_;
};

}  // namespace druid::kube
