#pragma once
// How to reach and authenticate to an API server: from a kubeconfig file (as
// kubectl reads it) or from the pod's service account (in-cluster).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/expected.hpp"

namespace druid::kube {

// A kubeconfig user's `exec` credential plugin (client.authentication.k8s.io
// ExecConfig), as loaded; `kube/exec_credential.hpp` runs it.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  // A path (relative ones already resolved against the kubeconfig's directory)
  // when the kubeconfig's command contains a '/', else a bare name looked up in $PATH.
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the process environment
  std::string interactive_mode;                          // "Never" or "IfAvailable"
  bool provide_cluster_info = false;
  std::string install_hint;  // printed when the command is not found
  std::string origin;        // `kubeconfig /x: user "u"`, for messages
};

struct RestConfig {
  std::string server;  // "https://host:port" (a path prefix is kept)
  std::string ca_pem;  // trusted CA bundle (PEM); empty = system trust store
  // The file ca_pem was read from (in-cluster ca.crt, a kubeconfig's
  // certificate-authority): re-read when it changes, because clusters rotate
  // their CA; empty when the CA came inline.
  std::string ca_file;
  std::string client_cert_pem, client_key_pem;
  std::string bearer_token;
  // Read per request when set (and re-read when the file changes), because the
  // kubelet rotates projected service-account tokens; takes precedence over bearer_token.
  std::string bearer_token_file;
  std::string username, password;  // basic auth (rare; kubeconfig users may have it)
  // A credential plugin, run by the client when a request needs a credential and
  // none is cached; a bearer token or token file takes precedence over it.
  std::optional<ExecConfig> exec;
  bool insecure_skip_tls_verify = false;
  std::string namespace_ = "default";  // the context's / pod's namespace
  double qps = 100;                    // <= 0: no client-side rate limit
  int burst = 150;
  std::chrono::milliseconds timeout{30000};  // per request (watches: connect only)
  std::string user_agent;                    // empty: "etcd-druid-cpp"
  std::string source;  // where this came from, for messages ("kubeconfig /x", "in-cluster")
};

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// kubeconfig lookup order: `explicit_path` (--kubeconfig), then $KUBECONFIG,
// then ~/.kube/config. The existing files of $KUBECONFIG's ':'-separated list
// are merged as kubectl merges them: the first file to define a cluster, user
// or context of a name wins, and so does the first current-context.
// Uses the current-context unless `context` names another one (from any of the
// files). Relative file references (certificate-authority, client-certificate,
// client-key, tokenFile, an exec command containing '/') are resolved against
// the directory of the file that defined the entry. Errors name the file and
// what is wrong (missing context, unknown cluster/user, unreadable file,
// malformed YAML, a bad exec plugin entry, unsupported auth-provider plugins).
util::Expected<RestConfig, std::string> load_kubeconfig(std::optional<std::string> explicit_path,
                                                        std::optional<std::string> context = {});

// The same from kubeconfig text; `base_dir` resolves relative paths, `origin`
// names the text in messages.
util::Expected<RestConfig, std::string> parse_kubeconfig(std::string_view yaml,
                                                         const std::filesystem::path& base_dir,
                                                         std::string_view origin,
                                                         std::optional<std::string> context = {});

// In-cluster: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the
// service account's token (as bearer_token_file), ca.crt and namespace from
// `service_account_dir` (tests point it at a temporary directory).
util::Expected<RestConfig, std::string> load_in_cluster_config(
    const std::filesystem::path& service_account_dir = kServiceAccountDir);

// A kubeconfig if one is given or found, else in-cluster. When neither works
// the one error names every place that was tried and why each failed.
util::Expected<RestConfig, std::string> load_rest_config(
    std::optional<std::string> kubeconfig,
    const std::filesystem::path& service_account_dir = kServiceAccountDir);

}  // namespace druid::kube
