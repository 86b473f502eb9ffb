#include "operator/config_mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>

#include "api/duration.hpp"

namespace druid::operator_ {
namespace {

// The configuration holds validated Go duration strings; "" counts as zero.
std::chrono::milliseconds to_millis(const std::string& text) {
  if (text.empty()) return std::chrono::milliseconds(0);
  auto parsed = api::parse_duration(text);
  if (!parsed) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(parsed->value);
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

std::optional<int> parse_port(std::string_view text) {
  int port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

}  // namespace

controller::etcd::EtcdControllerConfig etcd_controller_config(
    const api::OperatorConfiguration& config, const api::FeatureGates& gates) {
  const auto& etcd = config.controllers.etcd;
  controller::etcd::EtcdControllerConfig out;
  out.workers = static_cast<int>(
      etcd.concurrent_syncs.value_or(api::operator_config_defaults::kEtcdConcurrentSyncs));
  out.enable_etcd_spec_auto_reconcile = etcd.enable_etcd_spec_auto_reconcile;
  out.status_sync_period = to_millis(etcd.etcd_status_sync_period);
  out.member_not_ready_threshold = to_millis(etcd.etcd_member.not_ready_threshold);
  out.member_unknown_threshold = to_millis(etcd.etcd_member.unknown_threshold);
  out.settings.disable_etcd_service_account_automount = etcd.disable_etcd_service_account_automount;
  out.settings.feature_gates = gates;
  return out;
}

controller::etcdopstask::EtcdOpsTaskControllerConfig etcd_ops_task_controller_config(
    const api::OperatorConfiguration& config) {
  const auto& tasks = config.controllers.etcd_ops_task;
  controller::etcdopstask::EtcdOpsTaskControllerConfig out;
  out.workers = static_cast<int>(
      tasks.concurrent_syncs.value_or(api::operator_config_defaults::kEtcdOpsTaskConcurrentSyncs));
  out.requeue_interval = to_millis(
      tasks.requeue_interval.value_or(api::operator_config_defaults::kEtcdOpsTaskRequeueInterval));
  return out;
}

std::optional<controller::etcdcopybackupstask::EtcdCopyBackupsTaskControllerConfig>
etcd_copy_backups_task_controller_config(const api::OperatorConfiguration& config,
                                         const api::FeatureGates& gates) {
  const auto& tasks = config.controllers.etcd_copy_backups_task;
  if (!tasks.enabled) return std::nullopt;
  controller::etcdcopybackupstask::EtcdCopyBackupsTaskControllerConfig out;
  out.workers = static_cast<int>(tasks.concurrent_syncs.value_or(
      api::operator_config_defaults::kEtcdCopyBackupsTaskConcurrentSyncs));
  out.upgrade_etcd_version = gates.upgrade_etcd_version;
  return out;
}

std::optional<controller::compaction::CompactionControllerConfig> compaction_controller_config(
    const api::OperatorConfiguration& config, const api::FeatureGates& gates) {
  namespace defaults = api::operator_config_defaults;
  const auto& compaction = config.controllers.compaction;
  if (!compaction.enabled) return std::nullopt;
  controller::compaction::CompactionControllerConfig out;
  out.workers =
      static_cast<int>(compaction.concurrent_syncs.value_or(defaults::kCompactionConcurrentSyncs));
  out.events_threshold = compaction.events_threshold > 0 ? compaction.events_threshold
                                                         : defaults::kCompactionEventsThreshold;
  out.trigger_full_snapshot_threshold = compaction.trigger_full_snapshot_threshold > 0
                                            ? compaction.trigger_full_snapshot_threshold
                                            : defaults::kCompactionTriggerFullSnapshotThreshold;
  const auto deadline = to_millis(compaction.active_deadline_duration);
  out.active_deadline = deadline > std::chrono::milliseconds::zero()
                            ? std::chrono::duration_cast<std::chrono::seconds>(deadline)
                            : std::chrono::duration_cast<std::chrono::seconds>(
                                  to_millis(defaults::kCompactionActiveDeadlineDuration));
  out.metrics_scrape_wait =
      api::format_duration(std::chrono::duration_cast<std::chrono::nanoseconds>(
          to_millis(compaction.metrics_scrape_wait_duration)));
  out.upgrade_etcd_version = gates.upgrade_etcd_version;
  return out;
}

util::Expected<std::optional<kube::LeaderElectionConfig>, std::string> leader_election_config(
    const api::LeaderElectionConfiguration& config, const std::string& lease_namespace,
    const std::string& identity) {
  if (!config.enabled) return std::optional<kube::LeaderElectionConfig>();
  if (config.resource_lock != kLeasesResourceLock) {
    return util::unexpected("leaderElection.resourceLock: invalid lock-type " +
                            config.resource_lock + " (only \"leases\" is supported)");
  }
  kube::LeaderElectionConfig out;
  out.lease_namespace = lease_namespace;
  out.lease_name = config.resource_name;
  out.identity = identity;
  out.lease_duration = to_millis(config.lease_duration);
  out.renew_deadline = to_millis(config.renew_deadline);
  out.retry_period = to_millis(config.retry_period);
  out.release_on_cancel = true;
  return std::optional<kube::LeaderElectionConfig>(std::move(out));
}

std::string operator_namespace(const char* pod_namespace_env, const kube::RestConfig& rest) {
  if (pod_namespace_env != nullptr && !blank(pod_namespace_env)) return pod_namespace_env;
  if (!blank(rest.namespace_)) return rest.namespace_;
  return "default";
}

std::string leader_election_identity(const std::string& hostname) {
  std::random_device device;
  std::mt19937_64 random((static_cast<std::uint64_t>(device()) << 32U) ^
                         static_cast<std::uint64_t>(device()));
  const std::uint64_t high = random();
  std::uint64_t low = random();
  // RFC 4122 version 4: random, variant 10xx.
  const std::uint64_t versioned_high = (high & ~0xF000ULL) | 0x4000ULL;
  low = (low & ~(0xC000ULL << 48U)) | (0x8000ULL << 48U);
  const std::string uuid = fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", versioned_high >> 32U,
                                       (versioned_high >> 16U) & 0xFFFFU, versioned_high & 0xFFFFU,
                                       low >> 48U, low & 0xFFFFFFFFFFFFULL);
  return (hostname.empty() ? std::string("etcd-druid") : hostname) + "_" + uuid;
}

void apply_client_connection(const api::ClientConnectionConfiguration& connection,
                             kube::RestConfig& rest) {
  rest.qps = connection.qps.value;
  rest.burst = static_cast<int>(connection.burst);
}

util::Expected<ListenAddress, std::string> metrics_listen_address(
    const api::HttpServerConfiguration& metrics) {
  const std::string& bind = metrics.bind_address;
  if (bind.find(':') == std::string::npos) {
    return ListenAddress{bind, static_cast<int>(metrics.port)};
  }
  const auto colon = bind.rfind(':');
  std::string host = bind.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = parse_port(std::string_view(bind).substr(colon + 1));
  if (!port) {
    return util::unexpected("server.metrics.bindAddress: invalid address \"" + bind +
                            "\": the port must be a number from 0 to 65535");
  }
  return ListenAddress{host, *port};
}

util::Expected<std::string, std::string> reconciler_identity(
    const api::EtcdComponentProtectionWebhookConfiguration& webhook) {
  if (webhook.service_account_info) {
    return "system:serviceaccount:" + webhook.service_account_info->namespace_ + ":" +
           webhook.service_account_info->name;
  }
  if (webhook.reconciler_service_account_fqdn && !blank(*webhook.reconciler_service_account_fqdn)) {
    return *webhook.reconciler_service_account_fqdn;
  }
  return util::unexpected(
      std::string("webhooks.etcdComponentProtection: either reconcilerServiceAccountFQDN or "
                  "serviceAccountInfo must be set"));
}

WebhookServerOptions webhook_server_options(const api::OperatorConfiguration& config,
                                            std::string reconciler_service_account) {
  WebhookServerOptions out;
  const api::TlsServerConfiguration server = config.server.webhooks.value_or(
      api::TlsServerConfiguration{"", api::operator_config_defaults::kWebhookPort,
                                  api::operator_config_defaults::kWebhookServerCertDir});
  out.bind_address = server.bind_address;
  out.port = static_cast<int>(server.port);
  out.cert_dir = server.server_cert_dir;
  out.reconciler_service_account = std::move(reconciler_service_account);
  out.exempt_service_accounts = config.webhooks.etcd_component_protection.exempt_service_accounts;
  return out;
}

}  // namespace druid::operator_
