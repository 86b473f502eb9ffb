#pragma once
// The flags every druidctl command shares (upstream's druidctl/cmd/utils/options.go): the
// connection flags of kubectl (the subset of cli-runtime's ConfigFlags this plugin honours),
// -v/--verbose, -A/--all-namespaces, -l/--selector and --no-banner.

#include <chrono>
#include <string>
#include <string_view>

#include "kube/rest_config.hpp"
#include "util/expected.hpp"

namespace druid::druidctl {

struct ConnectionFlags {
  std::string kubeconfig;             // --kubeconfig; empty: $KUBECONFIG, then ~/.kube/config
  std::string context;                // --context
  std::string namespace_;             // -n/--namespace
  std::string server;                 // -s/--server
  std::string token;                  // --token
  std::string certificate_authority;  // --certificate-authority (a PEM file)
  bool insecure_skip_tls_verify = false;
  std::string request_timeout;  // --request-timeout ("0": the client's default)
};

struct GlobalOptions {
  ConnectionFlags connection;
  bool verbose = false;
  bool all_namespaces = false;
  bool no_banner = false;
  std::string selector;  // -l/--selector: applied when Etcds are listed
};

// kubectl's --request-timeout: a Go duration ("30s", "1m"), or a bare integer meaning seconds.
// "0" means "no timeout of ours" and yields nullopt-like 0 ms.
util::Expected<std::chrono::milliseconds, std::string> parse_request_timeout(std::string_view text);

// The kubeconfig (as kubectl finds it) with the flags laid over it. When no kubeconfig can be
// loaded, --server alone is enough (with --token and --certificate-authority as needed), as it
// is for kubectl.
util::Expected<kube::RestConfig, std::string> build_rest_config(const ConnectionFlags& flags);

}  // namespace druid::druidctl
