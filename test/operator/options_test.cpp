// The command line (upstream's cmd/opts/deprecatedoptions.go): every deprecated flag with its
// default and its configuration field, the old flag name, feature gates, unknown flags, and the
// --config file taking precedence over the deprecated flags.

#include "operator/options.hpp"

#include <gtest/gtest.h>

#include "operator/child_process.hpp"
#include "operator/startup_config.hpp"

namespace druid::operator_ {
namespace {

CommandLine parse(const std::vector<std::string>& args) {
  auto parsed = parse_command_line(args);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : CommandLine{};
}

TEST(CommandLine, NoFlagsGiveTheDeprecatedDefaults) {
  const auto cl = parse({});
  EXPECT_FALSE(cl.config_file);
  EXPECT_FALSE(cl.version);
  EXPECT_FALSE(cl.kubeconfig);
  EXPECT_EQ(cl.health_probe_port, 8081);
  EXPECT_TRUE(cl.unknown_arguments.empty());
  EXPECT_TRUE(cl.deprecated_flags_given.empty());

  // The flag defaults are the file defaults, except that the copy-backups-task
  // controller is enabled (upstream keeps that for backward compatibility).
  auto expected = api::default_operator_config();
  expected.controllers.etcd_copy_backups_task.enabled = true;
  expected.controllers.etcd_copy_backups_task.concurrent_syncs = 3;
  // The flags set these fields even while their feature is disabled.
  expected.leader_election.resource_lock = "leases";
  expected.leader_election.resource_name = "druid-leader-election";
  expected.controllers.compaction.concurrent_syncs = 3;
  expected.controllers.compaction.events_threshold = 1000000;
  expected.controllers.compaction.active_deadline_duration = "3h0m0s";
  expected.controllers.compaction.metrics_scrape_wait_duration = "0s";
  EXPECT_EQ(api::encode_operator_config(cl.flag_config).dump(2),
            api::encode_operator_config(expected).dump(2));
}

TEST(CommandLine, EveryDeprecatedFlagSetsItsField) {
  const auto cl = parse({"--metrics-bind-address=127.0.0.1",
                         "--metrics-port=9090",
                         "--webhook-server-bind-address",
                         "0.0.0.0",
                         "--webhook-server-port=9444",
                         "--webhook-server-tls-server-cert-dir=/certs",
                         "--enable-leader-election",
                         "--leader-election-id=my-lease",
                         "--leader-election-resource-lock=leases",
                         "--disable-lease-cache",
                         "--etcd-workers=7",
                         "--enable-etcd-spec-auto-reconcile",
                         "--disable-etcd-serviceaccount-automount",
                         "--etcd-status-sync-period=30s",
                         "--etcd-member-notready-threshold=10m",
                         "--etcd-member-unknown-threshold=90s",
                         "--enable-backup-compaction",
                         "--compaction-workers=2",
                         "--etcd-events-threshold=500",
                         "--active-deadline-duration=1h",
                         "--metrics-scrape-wait-duration=1m",
                         "--enable-etcd-copy-backups-task=false",
                         "--etcd-copy-backups-task-workers=4",
                         "--etcd-ops-task-workers=5",
                         "--etcd-ops-task-requeue-interval=20s",
                         "--secret-workers=6",
                         "--enable-etcd-components-webhook",
                         "--reconciler-service-account=system:serviceaccount:ns:druid",
                         "--etcd-components-webhook-exempt-service-accounts=a,b",
                         "--etcd-components-webhook-exempt-service-accounts=c",
                         "--feature-gates=UpgradeEtcdVersion=true"});
  const auto& c = cl.flag_config;
  EXPECT_EQ(c.server.metrics->bind_address, "127.0.0.1");
  EXPECT_EQ(c.server.metrics->port, 9090);
  EXPECT_EQ(c.server.webhooks->bind_address, "0.0.0.0");
  EXPECT_EQ(c.server.webhooks->port, 9444);
  EXPECT_EQ(c.server.webhooks->server_cert_dir, "/certs");
  EXPECT_TRUE(c.leader_election.enabled);
  EXPECT_EQ(c.leader_election.resource_name, "my-lease");
  EXPECT_EQ(c.leader_election.resource_lock, "leases");
  EXPECT_EQ(c.leader_election.lease_duration, "15s") << "defaulted when enabled";
  EXPECT_TRUE(c.controllers.disable_lease_cache);
  EXPECT_EQ(c.controllers.etcd.concurrent_syncs, 7);
  EXPECT_TRUE(c.controllers.etcd.enable_etcd_spec_auto_reconcile);
  EXPECT_TRUE(c.controllers.etcd.disable_etcd_service_account_automount);
  EXPECT_EQ(c.controllers.etcd.etcd_status_sync_period, "30s");
  EXPECT_EQ(c.controllers.etcd.etcd_member.not_ready_threshold, "10m0s");
  EXPECT_EQ(c.controllers.etcd.etcd_member.unknown_threshold, "1m30s");
  EXPECT_TRUE(c.controllers.compaction.enabled);
  EXPECT_EQ(c.controllers.compaction.concurrent_syncs, 2);
  EXPECT_EQ(c.controllers.compaction.events_threshold, 500);
  EXPECT_EQ(c.controllers.compaction.active_deadline_duration, "1h0m0s");
  EXPECT_EQ(c.controllers.compaction.metrics_scrape_wait_duration, "1m0s");
  EXPECT_EQ(c.controllers.compaction.trigger_full_snapshot_threshold, 3000000);
  EXPECT_FALSE(c.controllers.etcd_copy_backups_task.enabled);
  EXPECT_EQ(c.controllers.etcd_copy_backups_task.concurrent_syncs, 4);
  EXPECT_EQ(c.controllers.etcd_ops_task.concurrent_syncs, 5);
  EXPECT_EQ(c.controllers.etcd_ops_task.requeue_interval, "20s");
  EXPECT_EQ(c.controllers.secret.concurrent_syncs, 6);
  const auto& webhook = c.webhooks.etcd_component_protection;
  EXPECT_TRUE(webhook.enabled);
  EXPECT_EQ(webhook.reconciler_service_account_fqdn, "system:serviceaccount:ns:druid");
  EXPECT_EQ(webhook.exempt_service_accounts, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(c.feature_gates, (std::map<std::string, bool>{{"UpgradeEtcdVersion", true}}));
  EXPECT_EQ(cl.deprecated_flags_given.size(), 29u);
}

TEST(CommandLine, IgnoreOperationAnnotationIsTheOldNameOfAutoReconcile) {
  EXPECT_TRUE(parse({"--ignore-operation-annotation"})
                  .flag_config.controllers.etcd.enable_etcd_spec_auto_reconcile);
  EXPECT_TRUE(parse({"--ignore-operation-annotation=true"})
                  .flag_config.controllers.etcd.enable_etcd_spec_auto_reconcile);
  EXPECT_FALSE(parse({"--enable-etcd-spec-auto-reconcile=false"})
                   .flag_config.controllers.etcd.enable_etcd_spec_auto_reconcile);
}

TEST(CommandLine, ARepeatedFlagTakesItsLastValue) {
  EXPECT_EQ(
      parse({"--etcd-workers=2", "--etcd-workers=9"}).flag_config.controllers.etcd.concurrent_syncs,
      9);
}

TEST(CommandLine, BlankReconcilerServiceAccountStaysUnset) {
  EXPECT_FALSE(parse({"--reconciler-service-account=  "})
                   .flag_config.webhooks.etcd_component_protection.reconciler_service_account_fqdn);
}

TEST(CommandLine, UnknownFlagsAreCollectedNotRejected) {
  const auto cl = parse({"--future-flag=1", "--etcd-workers=4", "--other", "value"});
  EXPECT_EQ(cl.unknown_arguments,
            (std::vector<std::string>{"--future-flag=1", "--other", "value"}));
  EXPECT_EQ(cl.flag_config.controllers.etcd.concurrent_syncs, 4);
}

TEST(CommandLine, ConfigKubeconfigVersionAndProbePort) {
  const auto cl = parse({"--config=/etc/druid/config.yaml", "--kubeconfig", "/k", "--version",
                         "--health-probe-port=9000", "--etcd-workers=4"});
  EXPECT_EQ(cl.config_file, "/etc/druid/config.yaml");
  EXPECT_EQ(cl.kubeconfig, "/k");
  EXPECT_TRUE(cl.version);
  EXPECT_EQ(cl.health_probe_port, 9000);
  EXPECT_EQ(cl.deprecated_flags_given, (std::vector<std::string>{"--etcd-workers"}));
}

TEST(CommandLine, MalformedValuesNameTheFlag) {
  auto bad_duration = parse_command_line({"--etcd-member-unknown-threshold=1y"});
  ASSERT_FALSE(bad_duration);
  EXPECT_EQ(bad_duration.error().exit_code, 2);
  EXPECT_EQ(bad_duration.error().message,
            "invalid argument \"1y\" for \"--etcd-member-unknown-threshold\" flag: time: unknown "
            "unit \"y\" in duration \"1y\"");
  auto bad_int = parse_command_line({"--etcd-workers=many"});
  ASSERT_FALSE(bad_int);
  EXPECT_EQ(bad_int.error().exit_code, 2);
  EXPECT_NE(bad_int.error().message.find("--etcd-workers"), std::string::npos);
}

TEST(CommandLine, HelpIsAnExitWithCodeZero) {
  auto help = parse_command_line({"--help"});
  ASSERT_FALSE(help);
  EXPECT_EQ(help.error().exit_code, 0);
  EXPECT_NE(help.error().message.find("--enable-etcd-spec-auto-reconcile"), std::string::npos);
}

TEST(FeatureGatesFlag, ParsesPairsAndSkipsMalformedOnes) {
  std::vector<std::string> skipped;
  const auto gates = parse_feature_gates_flag(
      " UpgradeEtcdVersion = true ,UseEtcdWrapper=T,Broken,=true,X=maybe,,Y=0", &skipped);
  EXPECT_EQ(gates, (std::map<std::string, bool>{
                       {"UpgradeEtcdVersion", true}, {"UseEtcdWrapper", true}, {"Y", false}}));
  EXPECT_EQ(skipped, (std::vector<std::string>{"Broken", "=true", "X=maybe"}));
  EXPECT_TRUE(parse_feature_gates_flag("").empty());
}

// --- the effective configuration -------------------------------------------

TEST(StartupConfig, FlagsWithoutConfigFile) {
  const auto startup = resolve_startup_config(parse({"--feature-gates=UpgradeEtcdVersion=true"}));
  ASSERT_TRUE(startup) << startup.error();
  EXPECT_EQ(startup->source, "command-line flags");
  EXPECT_TRUE(startup->feature_gates.upgrade_etcd_version);
  EXPECT_TRUE(startup->feature_gates.use_etcd_wrapper);
}

TEST(StartupConfig, ConfigFileWinsOverDeprecatedFlags) {
  test::TempDir dir;
  const auto path = dir.write("c.yaml",
                              "apiVersion: config.druid.gardener.cloud/v1alpha1\n"
                              "kind: OperatorConfiguration\n"
                              "someFutureKey: {a: 1}\n"
                              "controllers:\n  etcd:\n    concurrentSyncs: 11\n");
  const auto startup =
      resolve_startup_config(parse({"--config", path.string(), "--etcd-workers=2"}));
  ASSERT_TRUE(startup) << startup.error();
  EXPECT_EQ(startup->source, "file " + path.string());
  EXPECT_EQ(startup->config.controllers.etcd.concurrent_syncs, 11);
  EXPECT_EQ(startup->config.controllers.etcd.etcd_status_sync_period, "15s") << "defaulted";
  EXPECT_FALSE(startup->config.controllers.etcd_copy_backups_task.enabled)
      << "the file's default, not the flag's";
}

TEST(StartupConfig, ExplicitFeatureGatesAreMergedOverTheConfigFile) {
  test::TempDir dir;
  const auto path = dir.write("c.yaml",
                              "apiVersion: config.druid.gardener.cloud/v1alpha1\n"
                              "kind: OperatorConfiguration\n"
                              "featureGates: {UpgradeEtcdVersion: true}\n");
  const auto startup = resolve_startup_config(
      parse({"--config", path.string(), "--feature-gates=QuorumAwareUpdatesWithOnDelete=true"}));
  ASSERT_TRUE(startup) << startup.error();
  EXPECT_TRUE(startup->feature_gates.quorum_aware_updates_with_on_delete) << "from the flag";
  EXPECT_TRUE(startup->feature_gates.upgrade_etcd_version) << "the file's gate stays";
  EXPECT_EQ(startup->feature_gates_from_flag,
            (std::map<std::string, bool>{{"QuorumAwareUpdatesWithOnDelete", true}}));
  EXPECT_EQ(startup->source, "file " + path.string() + " and --feature-gates");

  // The flag wins per gate.
  const auto off = resolve_startup_config(
      parse({"--config", path.string(), "--feature-gates", "UpgradeEtcdVersion=false"}));
  ASSERT_TRUE(off) << off.error();
  EXPECT_FALSE(off->feature_gates.upgrade_etcd_version);

  // Without the flag the file alone counts.
  const auto file_only = resolve_startup_config(parse({"--config", path.string()}));
  ASSERT_TRUE(file_only);
  EXPECT_FALSE(file_only->feature_gates.quorum_aware_updates_with_on_delete);
  EXPECT_TRUE(file_only->feature_gates_from_flag.empty());
  EXPECT_EQ(file_only->source, "file " + path.string());

  // Unknown gates from the flag are start-up errors too.
  const auto unknown =
      resolve_startup_config(parse({"--config", path.string(), "--feature-gates=Nope=true"}));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("unrecognized feature gate: Nope"), std::string::npos)
      << unknown.error();
}

TEST(StartupConfig, ErrorsAreOneLineNamingSourceAndField) {
  test::TempDir dir;
  const auto path = dir.write("c.yaml",
                              "apiVersion: config.druid.gardener.cloud/v1alpha1\n"
                              "kind: OperatorConfiguration\n"
                              "leaderElection: {enabled: true, leaseDuration: 5s, renewDeadline: "
                              "10s}\n");
  const auto startup = resolve_startup_config(parse({"--config", path.string()}));
  ASSERT_FALSE(startup);
  EXPECT_EQ(startup.error().find('\n'), std::string::npos);
  EXPECT_NE(startup.error().find("invalid configuration in file " + path.string()),
            std::string::npos)
      << startup.error();
  EXPECT_NE(startup.error().find("leaderElection.leaseDuration"), std::string::npos)
      << startup.error();

  const auto wrong_kind = dir.write("k.yaml", "apiVersion: v1\nkind: ConfigMap\n");
  const auto decoded = resolve_startup_config(parse({"--config", wrong_kind.string()}));
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().find("apiVersion: Unsupported value: \"v1\""), std::string::npos)
      << decoded.error();
}

}  // namespace
}  // namespace druid::operator_
