#include "api/operator_config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace druid::api {
namespace {

constexpr const char* kHeader =
    "apiVersion: config.druid.gardener.cloud/v1alpha1\nkind: OperatorConfiguration\n";

OperatorConfiguration load_ok(const std::string& yaml) {
  auto config = load_operator_config(yaml);
  EXPECT_TRUE(config) << (config ? "" : to_string(config.error()));
  return config ? *config : OperatorConfiguration{};
}

std::string load_error(const std::string& yaml) {
  auto config = load_operator_config(yaml);
  EXPECT_FALSE(config);
  return config ? "" : to_string(config.error());
}

TEST(OperatorConfig, DefaultsMatchTheFileFormat) {
  const auto c = default_operator_config();
  EXPECT_EQ(c.api_version, "config.druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(c.kind, "OperatorConfiguration");
  EXPECT_EQ(c.client_connection.qps.value, 100);
  EXPECT_EQ(c.client_connection.burst, 150);
  EXPECT_EQ(c.client_connection.content_type, "");
  EXPECT_EQ(c.client_connection.accept_content_types, "");
  // Leader election is disabled, so nothing else is defaulted.
  EXPECT_EQ(c.leader_election, LeaderElectionConfiguration{});
  ASSERT_TRUE(c.server.webhooks);
  EXPECT_EQ(c.server.webhooks->bind_address, "");
  EXPECT_EQ(c.server.webhooks->port, 9443);
  EXPECT_EQ(c.server.webhooks->server_cert_dir, "/etc/webhook-server-tls");
  ASSERT_TRUE(c.server.metrics);
  EXPECT_EQ(c.server.metrics->bind_address, "");
  EXPECT_EQ(c.server.metrics->port, 8080);
  EXPECT_FALSE(c.controllers.disable_lease_cache);
  EXPECT_EQ(c.controllers.etcd.concurrent_syncs, 3);
  EXPECT_FALSE(c.controllers.etcd.enable_etcd_spec_auto_reconcile);
  EXPECT_FALSE(c.controllers.etcd.disable_etcd_service_account_automount);
  EXPECT_EQ(c.controllers.etcd.etcd_status_sync_period, "15s");
  EXPECT_EQ(c.controllers.etcd.etcd_member.not_ready_threshold, "5m0s");
  EXPECT_EQ(c.controllers.etcd.etcd_member.unknown_threshold, "1m0s");
  // Compaction and copy-backups tasks are disabled: not defaulted.
  EXPECT_EQ(c.controllers.compaction, CompactionControllerConfiguration{});
  EXPECT_EQ(c.controllers.etcd_copy_backups_task, EtcdCopyBackupsTaskControllerConfiguration{});
  EXPECT_EQ(c.controllers.secret.concurrent_syncs, 10);
  EXPECT_EQ(c.controllers.etcd_ops_task.concurrent_syncs, 3);
  EXPECT_EQ(c.controllers.etcd_ops_task.requeue_interval, "15s");
  EXPECT_EQ(c.webhooks, WebhookConfiguration{});
  EXPECT_TRUE(c.feature_gates.empty());
  EXPECT_EQ(c.logging.log_level, "info");
  EXPECT_EQ(c.logging.log_format, "json");
}

TEST(OperatorConfig, MinimalFileGivesTheDefaults) {
  EXPECT_EQ(load_ok(kHeader), default_operator_config());
}

TEST(OperatorConfig, KeepsEveryValueThatIsSet) {
  const auto c = load_ok(std::string(kHeader) + R"(
clientConnection: {qps: 50.5, burst: 80, contentType: application/json, acceptContentTypes: application/yaml}
leaderElection:
  enabled: true
  leaseDuration: 30s
  renewDeadline: 20s
  retryPeriod: 5s
  resourceLock: configmapsleases
  resourceName: my-lock
server:
  webhooks: {bindAddress: 0.0.0.0, port: 10443, serverCertDir: /certs}
  metrics: {bindAddress: 127.0.0.1, port: 9090}
controllers:
  disableLeaseCache: true
  etcd:
    concurrentSyncs: 7
    enableEtcdSpecAutoReconcile: true
    disableEtcdServiceAccountAutomount: true
    etcdStatusSyncPeriod: 1m
    etcdMember: {notReadyThreshold: 10m, unknownThreshold: 90s}
  compaction:
    enabled: true
    concurrentSyncs: 2
    eventsThreshold: 500
    triggerFullSnapshotThreshold: 5000
    activeDeadlineDuration: 1h
    metricsScrapeWaitDuration: 30s
  etcdCopyBackupsTask: {enabled: true, concurrentSyncs: 4}
  secret: {concurrentSyncs: 12}
  etcdOpsTask: {concurrentSyncs: 6, requeueInterval: 30s}
webhooks:
  etcdComponentProtection:
    enabled: true
    serviceAccountInfo: {name: etcd-druid, namespace: garden}
    exemptServiceAccounts: [system:serviceaccount:kube-system:generic-garbage-collector]
featureGates: {UpgradeEtcdVersion: true}
logging: {logLevel: debug, logFormat: text}
)");
  EXPECT_EQ(c.client_connection.qps.value, 50.5);
  EXPECT_EQ(c.client_connection.burst, 80);
  EXPECT_EQ(c.client_connection.content_type, "application/json");
  EXPECT_EQ(c.client_connection.accept_content_types, "application/yaml");
  EXPECT_TRUE(c.leader_election.enabled);
  EXPECT_EQ(c.leader_election.lease_duration, "30s");
  EXPECT_EQ(c.leader_election.renew_deadline, "20s");
  EXPECT_EQ(c.leader_election.retry_period, "5s");
  EXPECT_EQ(c.leader_election.resource_lock, "configmapsleases");
  EXPECT_EQ(c.leader_election.resource_name, "my-lock");
  EXPECT_EQ(c.server.webhooks->bind_address, "0.0.0.0");
  EXPECT_EQ(c.server.webhooks->port, 10443);
  EXPECT_EQ(c.server.webhooks->server_cert_dir, "/certs");
  EXPECT_EQ(c.server.metrics->bind_address, "127.0.0.1");
  EXPECT_EQ(c.server.metrics->port, 9090);
  EXPECT_TRUE(c.controllers.disable_lease_cache);
  EXPECT_EQ(c.controllers.etcd.concurrent_syncs, 7);
  EXPECT_TRUE(c.controllers.etcd.enable_etcd_spec_auto_reconcile);
  EXPECT_TRUE(c.controllers.etcd.disable_etcd_service_account_automount);
  // Durations are kept in Go's canonical spelling.
  EXPECT_EQ(c.controllers.etcd.etcd_status_sync_period, "1m0s");
  EXPECT_EQ(c.controllers.etcd.etcd_member.not_ready_threshold, "10m0s");
  EXPECT_EQ(c.controllers.etcd.etcd_member.unknown_threshold, "1m30s");
  EXPECT_TRUE(c.controllers.compaction.enabled);
  EXPECT_EQ(c.controllers.compaction.concurrent_syncs, 2);
  EXPECT_EQ(c.controllers.compaction.events_threshold, 500);
  EXPECT_EQ(c.controllers.compaction.trigger_full_snapshot_threshold, 5000);
  EXPECT_EQ(c.controllers.compaction.active_deadline_duration, "1h0m0s");
  EXPECT_EQ(c.controllers.compaction.metrics_scrape_wait_duration, "30s");
  EXPECT_EQ(c.controllers.etcd_copy_backups_task.concurrent_syncs, 4);
  EXPECT_EQ(c.controllers.secret.concurrent_syncs, 12);
  EXPECT_EQ(c.controllers.etcd_ops_task.concurrent_syncs, 6);
  EXPECT_EQ(c.controllers.etcd_ops_task.requeue_interval, "30s");
  const auto& webhook = c.webhooks.etcd_component_protection;
  EXPECT_TRUE(webhook.enabled);
  EXPECT_FALSE(webhook.reconciler_service_account_fqdn);
  EXPECT_EQ(webhook.service_account_info, (ServiceAccountInfo{"etcd-druid", "garden"}));
  EXPECT_EQ(
      webhook.exempt_service_accounts,
      std::vector<std::string>{"system:serviceaccount:kube-system:generic-garbage-collector"});
  EXPECT_EQ(c.feature_gates, (std::map<std::string, bool>{{"UpgradeEtcdVersion", true}}));
  EXPECT_EQ(c.logging.log_level, "debug");
  EXPECT_EQ(c.logging.log_format, "text");
}

TEST(OperatorConfig, LeaderElectionDefaultsOnlyWhenEnabled) {
  const auto c =
      load_ok(std::string(kHeader) + "leaderElection: {enabled: true, leaseDuration: 0s}\n");
  EXPECT_EQ(c.leader_election.lease_duration, "15s");  // a zero duration counts as unset
  EXPECT_EQ(c.leader_election.renew_deadline, "10s");
  EXPECT_EQ(c.leader_election.retry_period, "2s");
  EXPECT_EQ(c.leader_election.resource_lock, "leases");
  EXPECT_EQ(c.leader_election.resource_name, "druid-leader-election");

  const auto disabled =
      load_ok(std::string(kHeader) + "leaderElection: {enabled: false, retryPeriod: 3s}\n");
  EXPECT_EQ(disabled.leader_election.lease_duration, "0s");
  EXPECT_EQ(disabled.leader_election.retry_period, "3s");
  EXPECT_EQ(disabled.leader_election.resource_name, "");
}

TEST(OperatorConfig, CompactionDefaultsOnlyWhenEnabled) {
  const auto c = load_ok(std::string(kHeader) + "controllers: {compaction: {enabled: true}}\n");
  EXPECT_EQ(c.controllers.compaction.concurrent_syncs, 3);
  EXPECT_EQ(c.controllers.compaction.events_threshold, 1000000);
  EXPECT_EQ(c.controllers.compaction.trigger_full_snapshot_threshold, 3000000);
  EXPECT_EQ(c.controllers.compaction.active_deadline_duration, "3h0m0s");
  EXPECT_EQ(c.controllers.compaction.metrics_scrape_wait_duration, "0s");

  const auto disabled =
      load_ok(std::string(kHeader) + "controllers: {compaction: {eventsThreshold: 5}}\n");
  EXPECT_FALSE(disabled.controllers.compaction.concurrent_syncs);
  EXPECT_EQ(disabled.controllers.compaction.events_threshold, 5);
  EXPECT_EQ(disabled.controllers.compaction.trigger_full_snapshot_threshold, 0);
  EXPECT_EQ(disabled.controllers.compaction.active_deadline_duration, "0s");
}

TEST(OperatorConfig, CopyBackupsTaskWorkersDefaultOnlyWhenEnabled) {
  EXPECT_EQ(load_ok(std::string(kHeader) + "controllers: {etcdCopyBackupsTask: {enabled: true}}\n")
                .controllers.etcd_copy_backups_task.concurrent_syncs,
            3);
  EXPECT_FALSE(
      load_ok(std::string(kHeader) + "controllers: {etcdCopyBackupsTask: {enabled: false}}\n")
          .controllers.etcd_copy_backups_task.concurrent_syncs);
}

TEST(OperatorConfig, ZeroValuesAreDefaulted) {
  const auto c = load_ok(std::string(kHeader) + R"(
clientConnection: {qps: 0, burst: 0}
server: {webhooks: {port: 0}, metrics: {port: 0}}
controllers:
  etcd: {etcdStatusSyncPeriod: 0s}
  etcdOpsTask: {requeueInterval: 0s}
logging: {logLevel: "", logFormat: ""}
)");
  EXPECT_EQ(c, default_operator_config());
}

TEST(OperatorConfig, IgnoresUnknownKeysAndNulls) {
  // The Helm chart's misspelt keys are silently ignored, as upstream does.
  const auto c = load_ok(std::string(kHeader) + R"(
logConfiguration: {logLevel: debug}
clientConnection: {acceptContentType: application/json}
controllers: {etcd: {workers: 9}, unknownController: {}}
webhooks:
  etcdComponentProtection: {reconcilerServiceAccountFQDN: null}
server: null
)");
  EXPECT_EQ(c, default_operator_config());
}

// Found by fuzzing (test/fuzz/regressions/operator_config): a configuration
// that is not UTF-8 loaded into strings no JSON could be written from (the
// operator aborted writing it); it is refused as Kubernetes' YAML decoder does.
TEST(OperatorConfig, FileThatIsNotUtf8IsRefused) {
  EXPECT_NE(load_error(std::string(kHeader) + "logging:\n  logLevel: inf\x94\n")
                .find("error converting YAML to JSON: yaml: invalid leading UTF-8 octet"),
            std::string::npos);
}

TEST(OperatorConfig, AcceptsJson) {
  const auto c = load_ok(
      R"({"apiVersion": "config.druid.gardener.cloud/v1alpha1", "kind": "OperatorConfiguration",
          "controllers": {"secret": {"concurrentSyncs": 2}}})");
  EXPECT_EQ(c.controllers.secret.concurrent_syncs, 2);
}

TEST(OperatorConfig, ReportsTypeErrorsWithPaths) {
  EXPECT_EQ(load_error(std::string(kHeader) + "controllers: {etcd: {concurrentSyncs: three}}\n"),
            "controllers.etcd.concurrentSyncs: Invalid value: \"string\": "
            "controllers.etcd.concurrentSyncs in body must be of type integer: \"string\"");
  EXPECT_EQ(load_error(std::string(kHeader) + "clientConnection: {qps: fast}\n"),
            "clientConnection.qps: Invalid value: \"string\": clientConnection.qps in body must be "
            "of type number: \"string\"");
  EXPECT_EQ(load_error(std::string(kHeader) + "featureGates: {UpgradeEtcdVersion: \"yes\"}\n"),
            "featureGates[UpgradeEtcdVersion]: Invalid value: \"string\": "
            "featureGates[UpgradeEtcdVersion] in body must be of type boolean: \"string\"");
  EXPECT_EQ(load_error(std::string(kHeader) + "leaderElection: [1]\n"),
            "leaderElection: Invalid value: \"array\": leaderElection in body must be of type "
            "object: \"array\"");
}

TEST(OperatorConfig, ReportsUnparsableDurations) {
  EXPECT_EQ(load_error(std::string(kHeader) + "controllers: {etcd: {etcdStatusSyncPeriod: abc}}\n"),
            "controllers.etcd.etcdStatusSyncPeriod: Invalid value: \"abc\": time: invalid "
            "duration \"abc\"");
  EXPECT_EQ(load_error(std::string(kHeader) + "leaderElection: {retryPeriod: \"\"}\n"),
            "leaderElection.retryPeriod: Invalid value: \"\": time: invalid duration \"\"");
  EXPECT_EQ(load_error(std::string(kHeader) + "leaderElection: {leaseDuration: 15}\n"),
            "leaderElection.leaseDuration: Invalid value: \"integer\": "
            "leaderElection.leaseDuration in body must be of type string: \"integer\"");
}

TEST(OperatorConfig, ReportsEveryErrorAtOnce) {
  auto config = load_operator_config(std::string(kHeader) + R"(
clientConnection: {burst: many}
controllers: {etcdOpsTask: {requeueInterval: soon}}
)");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().size(), 2u);
}

TEST(OperatorConfig, RequiresItsApiVersionAndKind) {
  EXPECT_EQ(load_error("controllers: {}\n"),
            "[apiVersion: Required value: must be \"config.druid.gardener.cloud/v1alpha1\", kind: "
            "Required value: must be \"OperatorConfiguration\"]");
  EXPECT_EQ(load_error("apiVersion: config.druid.gardener.cloud/v1beta1\n"
                       "kind: OperatorConfiguration\n"),
            "apiVersion: Unsupported value: \"config.druid.gardener.cloud/v1beta1\": supported "
            "values: \"config.druid.gardener.cloud/v1alpha1\"");
  EXPECT_EQ(load_error("apiVersion: config.druid.gardener.cloud/v1alpha1\nkind: Etcd\n"),
            "kind: Unsupported value: \"Etcd\": supported values: \"OperatorConfiguration\"");
}

TEST(OperatorConfig, MalformedYamlIsAClearError) {
  const auto error = load_error(std::string(kHeader) + "controllers: {etcd: [\n");
  EXPECT_EQ(error.rfind("<nil>: Invalid value: error converting YAML to JSON: yaml: line ", 0), 0u)
      << error;
  const auto bad_indent = load_error(std::string(kHeader) + "server:\n  metrics: a\n    port: 1\n");
  EXPECT_NE(bad_indent.find("error converting YAML to JSON: yaml: line 5"), std::string::npos)
      << bad_indent;
}

TEST(OperatorConfig, EmptyOrNonMappingFilesAreErrors) {
  EXPECT_NE(load_error("").find("error converting YAML to JSON"), std::string::npos);
  EXPECT_EQ(load_error("- a\n- b\n"),
            "<nil>: Invalid value: \"array\": <nil> in body must be of type object: \"array\"");
  EXPECT_EQ(load_error("just text\n"),
            "<nil>: Invalid value: \"string\": <nil> in body must be of type object: \"string\"");
}

TEST(OperatorConfig, EncodesLikeGo) {
  const auto j = encode_operator_config(default_operator_config());
  EXPECT_EQ(j["apiVersion"], "config.druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(j["clientConnection"],
            nlohmann::json::parse(
                R"({"qps": 100, "burst": 150, "contentType": "", "acceptContentTypes": ""})"));
  // Zero durations print as "0s"; fields without omitempty are always present.
  EXPECT_EQ(j["leaderElection"]["leaseDuration"], "0s");
  EXPECT_EQ(j["leaderElection"]["enabled"], false);
  EXPECT_EQ(j["controllers"]["compaction"]["activeDeadlineDuration"], "0s");
  EXPECT_FALSE(j["controllers"]["compaction"].contains("concurrentSyncs"));
  EXPECT_FALSE(j.contains("featureGates"));
  EXPECT_EQ(j["controllers"]["etcdOpsTask"]["requeueInterval"], "15s");
  EXPECT_EQ(j["server"]["metrics"], nlohmann::json::parse(R"({"bindAddress": "", "port": 8080})"));
  // What is encoded loads back to the same configuration.
  auto reloaded = load_operator_config(j.dump());
  ASSERT_TRUE(reloaded) << to_string(reloaded.error());
  EXPECT_EQ(*reloaded, default_operator_config());
}

TEST(FeatureGates, DefaultsWithoutOverrides) {
  auto gates = apply_feature_gates({});
  ASSERT_TRUE(gates);
  EXPECT_TRUE(gates->use_etcd_wrapper);
  EXPECT_FALSE(gates->upgrade_etcd_version);
  EXPECT_TRUE(gates->enabled("UseEtcdWrapper"));
  EXPECT_FALSE(gates->enabled("UpgradeEtcdVersion"));
  EXPECT_FALSE(gates->enabled("NoSuchGate"));
}

TEST(FeatureGates, EnablesAlphaGate) {
  auto gates = apply_feature_gates({{"UpgradeEtcdVersion", true}});
  ASSERT_TRUE(gates);
  EXPECT_TRUE(gates->upgrade_etcd_version);
  EXPECT_TRUE(gates->enabled(kFeatureUpgradeEtcdVersion));
  auto off = apply_feature_gates({{"UpgradeEtcdVersion", false}});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->upgrade_etcd_version);
}

TEST(FeatureGates, QuorumAwareUpdatesIsAnAlphaGateOffByDefault) {
  auto defaults = apply_feature_gates({});
  ASSERT_TRUE(defaults);
  EXPECT_FALSE(defaults->quorum_aware_updates_with_on_delete);
  auto gates = apply_feature_gates({{"QuorumAwareUpdatesWithOnDelete", true}});
  ASSERT_TRUE(gates);
  EXPECT_TRUE(gates->quorum_aware_updates_with_on_delete);
  EXPECT_TRUE(gates->enabled(kFeatureQuorumAwareUpdatesWithOnDelete));
}

TEST(FeatureGates, LockedGateAcceptsItsDefaultOnly) {
  EXPECT_TRUE(apply_feature_gates({{"UseEtcdWrapper", true}}));
  auto gates = apply_feature_gates({{"UseEtcdWrapper", false}});
  ASSERT_FALSE(gates);
  EXPECT_EQ(gates.error(),
            "cannot set feature gate UseEtcdWrapper to false, feature is locked to true");
}

TEST(FeatureGates, RejectsUnknownGates) {
  auto gates = apply_feature_gates({{"useEtcdWrapper", true}});
  ASSERT_FALSE(gates);
  EXPECT_EQ(gates.error(), "unrecognized feature gate: useEtcdWrapper");
}

TEST(FeatureGates, ReportsAllErrors) {
  auto gates =
      apply_feature_gates({{"Foo", true}, {"UpgradeEtcdVersion", true}, {"UseEtcdWrapper", false}});
  ASSERT_FALSE(gates);
  EXPECT_EQ(gates.error(),
            "[unrecognized feature gate: Foo, cannot set feature gate UseEtcdWrapper to false, "
            "feature is locked to true]");
}

TEST(FeatureGates, KnownGates) {
  const auto& gates = known_feature_gates();
  ASSERT_EQ(gates.size(), 3u);
  EXPECT_STREQ(gates[0].name, "QuorumAwareUpdatesWithOnDelete");
  EXPECT_STREQ(gates[0].maturity, "ALPHA");
  EXPECT_FALSE(gates[0].default_value);
  EXPECT_FALSE(gates[0].locked_to_default);
  EXPECT_STREQ(gates[1].name, "UpgradeEtcdVersion");
  EXPECT_STREQ(gates[1].maturity, "ALPHA");
  EXPECT_FALSE(gates[1].default_value);
  EXPECT_FALSE(gates[1].locked_to_default);
  EXPECT_STREQ(gates[2].name, "UseEtcdWrapper");
  EXPECT_STREQ(gates[2].maturity, "GA");
  EXPECT_TRUE(gates[2].default_value);
  EXPECT_TRUE(gates[2].locked_to_default);
}

}  // namespace
}  // namespace druid::api
