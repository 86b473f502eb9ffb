#pragma once
// How to reach and authenticate to an API server: from a kubeconfig file (as
// kubectl reads it) or from the pod's service account (in-cluster).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "util/expected.hpp"

namespace druid::kube {

struct RestConfig {
  std::string server;  // "https://host:port" (a path prefix is kept)
  std::string ca_pem;  // trusted CA bundle (PEM); empty = system trust store
  std::string client_cert_pem, client_key_pem;
  std::string bearer_token;
  // Read per request when set (and re-read when the file changes), because the
  // kubelet rotates projected service-account tokens; takes precedence over bearer_token.
  std::string bearer_token_file;
  std::string username, password;  // basic auth (rare; kubeconfig users may have it)
  bool insecure_skip_tls_verify = false;
  std::string namespace_ = "default";  // the context's / pod's namespace
  double qps = 100;                    // <= 0: no client-side rate limit
  int burst = 150;
  std::chrono::milliseconds timeout{30000};  // per request (watches: connect only)
  std::string user_agent;                    // empty: "etcd-druid-cpp"
  std::string source;  // where this came from, for messages ("kubeconfig /x", "in-cluster")
};

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// kubeconfig lookup order: `explicit_path` (--kubeconfig), then $KUBECONFIG
// (first existing file of the ':'-separated list), then ~/.kube/config.
// Uses the current-context unless `context` names another one. Relative file
// references (certificate-authority, client-certificate, client-key, tokenFile)
// are resolved against the kubeconfig's directory. Errors name the file and
// what is wrong (missing context, unknown cluster/user, unreadable file,
// malformed YAML, unsupported exec/auth-provider plugins).
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
