#include "component/statefulset_args.hpp"

#include <fmt/format.h>

#include <optional>
#include <string_view>

#include "api/annotations.hpp"
#include "api/defaults.hpp"
#include "api/duration.hpp"
#include "api/names.hpp"
#include "component/statefulset_pod_names.hpp"

namespace druid::component {
namespace {

// Collects arguments and remembers the first value that could not be rendered.
class ArgList {
 public:
  void add(std::string arg) { args_.push_back(std::move(arg)); }

  template <class T>
  void flag(std::string_view name, const T& value) {
    add(fmt::format("--{}={}", name, value));
  }

  // `--name=<Go duration>` when the spec field is set.
  void optional_duration(std::string_view name, const std::optional<std::string>& value,
                         std::string_view field) {
    if (!value) return;
    auto parsed = api::parse_duration(*value);
    if (!parsed) return fail(fmt::format("{}: {}", field, parsed.error().reason));
    flag(name, parsed->to_string());
  }

  // `--name=<duration>` with druid's default when unset.
  void duration(std::string_view name,
                const util::Expected<api::EffectiveDuration, util::ParseError>& value) {
    if (!value) return fail(value.error().reason);
    flag(name, value->text);
  }

  // `--name=<bytes>`.
  void bytes(std::string_view name, const util::Expected<api::Quantity, util::ParseError>& value) {
    if (!value) return fail(value.error().reason);
    flag(name, value->value());
  }

  util::Expected<std::vector<std::string>, std::string> result() && {
    if (error_) return util::unexpected(std::move(*error_));
    return std::move(args_);
  }

 private:
  void fail(std::string error) {
    if (!error_) error_ = std::move(error);
  }

  std::vector<std::string> args_;
  std::optional<std::string> error_;
};

std::string local_host(const api::Etcd& etcd) {
  return etcd.metadata.name + "-local";
}

std::string ca_file(const std::string& mount_path, const api::CaSecretReference& ca) {
  return mount_path + "/" + ca.data_key.value_or(pod::kDefaultCaDataKey);
}

// Store, snapshot and garbage-collection flags (only with a backup store).
void add_backup_store_args(ArgList& args, const api::Etcd& etcd, const std::string& provider) {
  const auto& backup = etcd.spec.backup;
  const auto& store = *backup.store;
  // The snapshot leases exist only when druid creates runtime components.
  if (runtime_components_enabled(etcd)) {
    args.add("--enable-snapshot-lease-renewal=true");
    args.flag("full-snapshot-lease-name", api::full_snapshot_lease_name(etcd));
    args.flag("delta-snapshot-lease-name", api::delta_snapshot_lease_name(etcd));
  }
  args.flag("storage-provider", provider);
  args.flag("store-prefix", store.prefix);
  if (store.endpoint_override) args.flag("store-endpoint-override", *store.endpoint_override);
  if (backup.full_snapshot_schedule) args.flag("schedule", *backup.full_snapshot_schedule);
  args.optional_duration("delta-snapshot-period", backup.delta_snapshot_period,
                         "spec.backup.deltaSnapshotPeriod");
  args.optional_duration("delta-snapshot-retention-period", backup.delta_snapshot_retention_period,
                         "spec.backup.deltaSnapshotRetentionPeriod");
  args.bytes("delta-snapshot-memory-limit", api::effective::delta_snapshot_memory_limit(etcd));
  const auto gc_policy = api::effective::garbage_collection_policy(etcd);
  args.flag("garbage-collection-policy", gc_policy);
  if (gc_policy == "LimitBased") {
    args.flag("max-backups", api::effective::max_backups_limit_based_gc(etcd));
  }
  args.optional_duration("garbage-collection-period", backup.garbage_collection_period,
                         "spec.backup.garbageCollectionPeriod");
  args.flag("compress-snapshots", api::effective::compression_enabled(etcd));
  args.flag("compression-policy", api::effective::compression_policy(etcd));
  args.duration("etcd-snapshot-timeout", api::effective::etcd_snapshot_timeout(etcd));
}

// How backup-restore reaches its own etcd and, through the client Service,
// the ready members (plus the source cluster when joining an existing one).
void add_etcd_connection_args(ArgList& args, const api::Etcd& etcd) {
  const auto& client_tls = etcd.spec.etcd.client_url_tls;
  const std::string scheme = client_tls ? "https" : "http";
  const auto client_port = api::effective::client_port(etcd);
  if (client_tls) {
    args.flag("cacert", ca_file(pod::kEtcdCaPath, client_tls->tls_ca_secret_ref));
    args.flag("cert", fmt::format("{}/tls.crt", pod::kEtcdClientTlsPath));
    args.flag("key", fmt::format("{}/tls.key", pod::kEtcdClientTlsPath));
    args.add("--insecure-transport=false");
    args.add("--insecure-skip-tls-verify=false");
  } else {
    args.add("--insecure-transport=true");
    args.add("--insecure-skip-tls-verify=true");
  }
  args.flag("endpoints", fmt::format("{}://{}:{}", scheme, local_host(etcd), client_port));
  if (!runtime_components_enabled(etcd)) return;  // no client Service to go through
  std::string endpoints =
      fmt::format("{}://{}:{}", scheme, api::client_service_name(etcd), client_port);
  if (const auto& bootstrap = etcd.spec.etcd.bootstrap_with_existing_cluster) {
    for (const auto& endpoint : bootstrap->client_endpoints) endpoints += "," + endpoint;
  }
  args.flag("service-endpoints", endpoints);
}

void add_misc_args(ArgList& args, const api::Etcd& etcd) {
  args.flag("data-dir", fmt::format("{}/new.etcd", pod::kEtcdDataPath));
  args.flag("restoration-temp-snapshots-dir",
            fmt::format("{}/restoration.temp", pod::kEtcdDataPath));
  args.flag("snapstore-temp-directory", fmt::format("{}/temp", pod::kEtcdDataPath));
  args.add("--etcd-connection-timeout=5m");
  args.add("--use-etcd-wrapper=true");
  // Member leases exist only when druid creates runtime components.
  if (runtime_components_enabled(etcd)) {
    args.add("--enable-member-lease-renewal=true");
    args.duration("k8s-heartbeat-duration", api::effective::heartbeat_duration(etcd));
  }
  args.bytes("embedded-etcd-quota-bytes", api::effective::quota(etcd));
  if (api::effective::profiling_enabled(etcd)) args.add("--enable-profiling=true");
  if (const auto& election = etcd.spec.backup.leader_election) {
    args.optional_duration("etcd-connection-timeout-leader-election",
                           election->etcd_connection_timeout,
                           "spec.backup.leaderElection.etcdConnectionTimeout");
    args.optional_duration("reelection-period", election->reelection_period,
                           "spec.backup.leaderElection.reelectionPeriod");
  }
}

}  // namespace

std::vector<std::string> etcd_wrapper_args(const api::Etcd& etcd) {
  ArgList args;
  args.add("start-etcd");
  args.flag("backup-restore-host-port",
            fmt::format("{}:{}", local_host(etcd), api::effective::backup_port(etcd)));
  args.flag("etcd-server-name", local_host(etcd));
  if (const auto& backup_tls = etcd.spec.backup.tls) {
    args.add("--backup-restore-tls-enabled=true");
    args.flag("backup-restore-ca-cert-bundle-path",
              ca_file(pod::kBackupRestoreCaPath, backup_tls->tls_ca_secret_ref));
  } else {
    args.add("--backup-restore-tls-enabled=false");
  }
  if (etcd.spec.etcd.client_url_tls) {
    args.flag("etcd-client-cert-path", fmt::format("{}/tls.crt", pod::kEtcdClientTlsPath));
    args.flag("etcd-client-key-path", fmt::format("{}/tls.key", pod::kEtcdClientTlsPath));
  }
  // A zero port means "let the wrapper use its own default", as upstream.
  if (const auto port = api::effective::client_port(etcd); port != 0) {
    args.flag("etcd-client-port", port);
  }
  if (const auto port = api::effective::wrapper_port(etcd); port != 0) {
    args.flag("etcd-wrapper-port", port);
  }
  return *std::move(args).result();
}

util::Expected<std::vector<std::string>, std::string> backup_restore_args(
    const api::Etcd& etcd, const std::string& provider) {
  ArgList args;
  args.add("server");
  args.flag("server-port", api::effective::backup_port(etcd));
  if (api::is_backup_store_enabled(etcd)) add_backup_store_args(args, etcd, provider);
  if (const auto& schedule = etcd.spec.etcd.defragmentation_schedule) {
    args.flag("defragmentation-schedule", *schedule);
  }
  args.duration("etcd-defrag-timeout", api::effective::etcd_defrag_timeout(etcd));
  args.flag("auto-compaction-mode", api::effective::auto_compaction_mode(etcd));
  args.flag("auto-compaction-retention", api::effective::auto_compaction_retention(etcd));
  add_etcd_connection_args(args, etcd);
  if (etcd.spec.backup.tls) {
    args.flag("server-cert", fmt::format("{}/tls.crt", pod::kBackupRestoreServerTlsPath));
    args.flag("server-key", fmt::format("{}/tls.key", pod::kBackupRestoreServerTlsPath));
  }
  add_misc_args(args, etcd);
  return std::move(args).result();
}

bool runtime_components_enabled(const api::Etcd& etcd) {
  return !api::is_runtime_component_creation_disabled(etcd.metadata);
}

}  // namespace druid::component
