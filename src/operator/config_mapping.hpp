#pragma once
// From the OperatorConfiguration to the settings of the pieces that run it:
// the Etcd controller, the manager (leader election, upstream's internal/manager/manager.go), the
// client (clientConnection), the HTTP servers and the webhook (docs/deployment.md). Pure functions,
// so each rule is tested without starting anything.

#include <optional>
#include <string>

#include "api/operator_config.hpp"
#include "controller/compaction/config.hpp"
#include "controller/etcd/config.hpp"
#include "controller/etcdcopybackupstask/config.hpp"
#include "controller/etcdopstask/config.hpp"
#include "kube/leader_election.hpp"
#include "kube/manager.hpp"
#include "kube/rest_config.hpp"
#include "operator/webhook_server.hpp"
#include "util/expected.hpp"

namespace druid::operator_ {

controller::etcd::EtcdControllerConfig etcd_controller_config(
    const api::OperatorConfiguration& config, const api::FeatureGates& gates);

// controllers.etcdOpsTask: workers and requeueInterval, upstream's defaults where unset.
controller::etcdopstask::EtcdOpsTaskControllerConfig etcd_ops_task_controller_config(
    const api::OperatorConfiguration& config);

// controllers.etcdCopyBackupsTask: nullopt when disabled (upstream registers
// the controller regardless; we honour `enabled`); else workers, upstream's
// default where unset, and the UpgradeEtcdVersion gate for the job's image.
std::optional<controller::etcdcopybackupstask::EtcdCopyBackupsTaskControllerConfig>
etcd_copy_backups_task_controller_config(const api::OperatorConfiguration& config,
                                         const api::FeatureGates& gates);

// controllers.compaction: nullopt when disabled (upstream registers the
// controller only when enabled); else workers, both thresholds, the job's
// active deadline and metrics scrape wait (as Go prints durations), upstream's
// defaults where unset, and the UpgradeEtcdVersion gate for the job's image.
std::optional<controller::compaction::CompactionControllerConfig> compaction_controller_config(
    const api::OperatorConfiguration& config, const api::FeatureGates& gates);

// client-go's only lock type today.
inline constexpr const char* kLeasesResourceLock = "leases";

// Leader election on Lease `resourceName` in `lease_namespace`, released on
// shutdown; nullopt when disabled. Fails for a resourceLock other than
// "leases" (client-go's "invalid lock-type" error).
util::Expected<std::optional<kube::LeaderElectionConfig>, std::string> leader_election_config(
    const api::LeaderElectionConfiguration& config, const std::string& lease_namespace,
    const std::string& identity);

// The namespace the operator runs in, for its leader election Lease: the
// POD_NAMESPACE value (downward API) when set, else the kubeconfig context's
// or in-cluster service account's namespace, else "default".
std::string operator_namespace(const char* pod_namespace_env, const kube::RestConfig& rest);

// "<hostname>_<random uuid>", unique per process as client-go's identities are.
std::string leader_election_identity(const std::string& hostname);

// clientConnection.qps / burst override the rest config (contentType and
// acceptContentTypes are not used: the client speaks JSON only).
void apply_client_connection(const api::ClientConnectionConfiguration& connection,
                             kube::RestConfig& rest);

struct ListenAddress {
  std::string host;  // "" = all interfaces
  int port = 0;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// The metrics server's address: a bindAddress containing ':' is a complete
// "host:port" (":8080", "127.0.0.1:9090", "[::1]:8080"); otherwise it is the
// host and `port` is added, so the default is ":8080".
util::Expected<ListenAddress, std::string> metrics_listen_address(
    const api::HttpServerConfiguration& metrics);

// The identity the webhook lets through (upstream's internal/webhook/utils/serviceaccount.go):
// system:serviceaccount:<ns>:<name> from serviceAccountInfo, else reconcilerServiceAccountFQDN;
// neither is an error.
util::Expected<std::string, std::string> reconciler_identity(
    const api::EtcdComponentProtectionWebhookConfiguration& webhook);

WebhookServerOptions webhook_server_options(const api::OperatorConfiguration& config,
                                            std::string reconciler_service_account);

}  // namespace druid::operator_
