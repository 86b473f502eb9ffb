// The desired StatefulSet (upstream's internal/component/statefulset/builder.go, and
// test/localenv/README.md): one golden object per variant, plus focused checks of argument
// order, the rules between fields, and every error.

#include "component/statefulset_builder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "component/statefulset_args.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::component {
namespace {

using nlohmann::json;
using test::add_all_tls;
using test::add_backup_tls;
using test::add_client_tls;
using test::add_store;
using test::base_etcd_json;
using test::decode;
using test::matches_golden;

const api::EtcdImages kImages{
    "europe-docker.pkg.dev/gardener-project/public/gardener/etcd-wrapper:v0.6.2",
    "europe-docker.pkg.dev/gardener-project/public/gardener/etcdbrctl:v0.41.2",
    "europe-docker.pkg.dev/gardener-project/public/3rd/alpine:3.21.3"};
const std::string kChecksum = "5f1a9d3c0b7e2a4f6d8c1b3e5a7f9d2c4b6e8a0f1c3d5e7f9a2b4c6d8e0f1a3b";

StatefulSetInputs inputs_for(const json& etcd) {
  StatefulSetInputs inputs;
  inputs.images = kImages;
  inputs.configmap_checksum = kChecksum;
  inputs.replicas = etcd["spec"]["replicas"].get<std::int32_t>();
  return inputs;
}

json build(const json& etcd, const StatefulSetInputs& inputs) {
  auto built = build_statefulset(decode(etcd), inputs);
  if (!built) ADD_FAILURE() << "build failed: " << built.error();
  return built ? *built : json();
}

json build(const json& etcd) {
  return build(etcd, inputs_for(etcd));
}

std::string build_error(const json& etcd) {
  auto built = build_statefulset(decode(etcd), inputs_for(etcd));
  return built ? std::string("<no error>") : built.error();
}

const json& container(const json& sts, const std::string& name) {
  for (const auto& c : sts["spec"]["template"]["spec"]["containers"]) {
    if (c["name"] == name) return c;
  }
  static const json kNone;
  ADD_FAILURE() << "no container " << name;
  return kNone;
}

std::vector<std::string> args_of(const json& sts, const std::string& name) {
  return container(sts, name)["args"].get<std::vector<std::string>>();
}

bool has_arg_prefix(const std::vector<std::string>& args, const std::string& prefix) {
  for (const auto& arg : args) {
    if (arg.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

json with_disabled_runtime_components(json etcd) {
  etcd["metadata"]["annotations"] = {
      {"druid.gardener.cloud/disable-etcd-runtime-component-creation", ""}};
  return etcd;
}

// ---------------------------------------------------------------------------
// Goldens

TEST(StatefulSetBuilderGolden, MinimalSingleMemberWithoutBackup) {
  EXPECT_TRUE(matches_golden(build(base_etcd_json(1)), "statefulset/minimal-1-replica.json"));
}

TEST(StatefulSetBuilderGolden, ThreeMembersAllTlsAndS3) {
  auto etcd = base_etcd_json(3);
  add_all_tls(etcd);
  add_store(etcd, "aws");
  EXPECT_TRUE(matches_golden(build(etcd), "statefulset/3-replicas-all-tls-s3.json"));
}

TEST(StatefulSetBuilderGolden, HibernatedWithBackup) {
  auto etcd = base_etcd_json(0);
  add_store(etcd, "aws");
  EXPECT_TRUE(matches_golden(build(etcd), "statefulset/hibernated-with-backup.json"));
}

TEST(StatefulSetBuilderGolden, LocalStoreWithDefaultHostPath) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "Local", false);
  EXPECT_TRUE(matches_golden(build(etcd), "statefulset/local-default-host-path.json"));
}

TEST(StatefulSetBuilderGolden, LocalStoreWithHostPathFromSecret) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "local");
  auto inputs = inputs_for(etcd);
  inputs.local_backup_host_path = "/var/lib/buckets";
  EXPECT_TRUE(matches_golden(build(etcd, inputs), "statefulset/local-host-path-from-secret.json"));
}

TEST(StatefulSetBuilderGolden, LocalStoreRunningAsRoot) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "Local", false);
  etcd["spec"]["runAsRoot"] = true;
  EXPECT_TRUE(matches_golden(build(etcd), "statefulset/local-run-as-root.json"));
}

struct ProviderCase {
  std::string provider;  // as written in the Etcd
  std::string golden;
};

class StatefulSetBuilderProviderGolden : public ::testing::TestWithParam<ProviderCase> {};

TEST_P(StatefulSetBuilderProviderGolden, CloudProvider) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, GetParam().provider);
  EXPECT_TRUE(matches_golden(build(etcd), "statefulset/" + GetParam().golden + ".json"));
}

INSTANTIATE_TEST_SUITE_P(Providers, StatefulSetBuilderProviderGolden,
                         ::testing::Values(ProviderCase{"S3", "provider-s3"},
                                           ProviderCase{"azure", "provider-abs"},
                                           ProviderCase{"gcp", "provider-gcs"},
                                           ProviderCase{"openstack", "provider-swift"},
                                           ProviderCase{"alicloud", "provider-oss"},
                                           ProviderCase{"dell", "provider-ecs"},
                                           ProviderCase{"openshift", "provider-ocs"}),
                         [](const auto& info) { return info.param.provider; });

TEST(StatefulSetBuilderGolden, ProviderWithoutSecretUsesAmbientIdentity) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "gcp", false);
  EXPECT_TRUE(matches_golden(build(etcd), "statefulset/provider-gcs-without-secret.json"));
}

TEST(StatefulSetBuilderGolden, MemberNamePrefixDoesNotChangeTheStatefulSet) {
  auto etcd = base_etcd_json(3);
  etcd["spec"]["memberNamePrefix"] = "shoot";
  const auto built = build(etcd);
  EXPECT_TRUE(matches_golden(built, "statefulset/member-name-prefix.json"));
  // Member names only reach the pod through the ConfigMap and POD_NAME.
  EXPECT_EQ(built, build(base_etcd_json(3)));
}

TEST(StatefulSetBuilderGolden, RuntimeComponentCreationDisabled) {
  auto etcd = with_disabled_runtime_components(base_etcd_json(3));
  add_store(etcd, "aws");
  add_client_tls(etcd);
  EXPECT_TRUE(matches_golden(build(etcd), "statefulset/runtime-components-disabled.json"));
}

json customised_etcd() {
  auto etcd = base_etcd_json(3);
  add_store(etcd, "aws");
  auto& spec = etcd["spec"];
  spec["labels"]["team"] = "storage";
  spec["annotations"] = {{"cluster-autoscaler.kubernetes.io/safe-to-evict", "false"}};
  spec["priorityClassName"] = "gardener-system-500";
  spec["storageClass"] = "premium-ssd";
  spec["storageCapacity"] = "25Gi";
  spec["volumeClaimTemplate"] = "main-etcd";
  spec["sharedConfig"] = {{"autoCompactionMode", "revision"}, {"autoCompactionRetention", "1000"}};
  spec["schedulingConstraints"] = {
      {"affinity",
       {{"podAntiAffinity",
         {{"requiredDuringSchedulingIgnoredDuringExecution",
           json::array({{{"topologyKey", "kubernetes.io/hostname"},
                         {"labelSelector",
                          {{"matchLabels", {{"app.kubernetes.io/part-of", "etcd-main"}}}}}}})}}}}},
      {"topologySpreadConstraints",
       json::array({{{"maxSkew", 1},
                     {"topologyKey", "topology.kubernetes.io/zone"},
                     {"whenUnsatisfiable", "DoNotSchedule"},
                     {"labelSelector",
                      {{"matchLabels", {{"app.kubernetes.io/part-of", "etcd-main"}}}}}}})}};
  auto& etcd_config = spec["etcd"];
  etcd_config["quota"] = "12Gi";
  etcd_config["defragmentationSchedule"] = "0 */12 * * *";
  etcd_config["serverPort"] = 2480;
  etcd_config["clientPort"] = 2479;
  etcd_config["wrapperPort"] = 9195;
  etcd_config["etcdDefragTimeout"] = "900s";
  etcd_config["heartbeatDuration"] = "15s";
  etcd_config["resources"] = {{"requests", {{"cpu", "1000m"}, {"memory", "1024Mi"}}},
                              {"limits", {{"memory", "4Gi"}}}};
  auto& backup = spec["backup"];
  backup["port"] = 8180;
  backup["store"]["endpointOverride"] = "https://s3.eu-central-1.amazonaws.com";
  backup["resources"] = {{"requests", {{"cpu", "100m"}, {"memory", "256Mi"}}}};
  backup["fullSnapshotSchedule"] = "0 */24 * * *";
  backup["garbageCollectionPolicy"] = "Exponential";
  backup["garbageCollectionPeriod"] = "43200s";
  backup["deltaSnapshotPeriod"] = "300s";
  backup["deltaSnapshotMemoryLimit"] = "1Gi";
  backup["deltaSnapshotRetentionPeriod"] = "72h";
  backup["compression"] = {{"enabled", false}, {"policy", "zlib"}};
  backup["enableProfiling"] = true;
  backup["etcdSnapshotTimeout"] = "1h30m";
  backup["leaderElection"] = {{"reelectionPeriod", "10s"}, {"etcdConnectionTimeout", "7.5s"}};
  return etcd;
}

TEST(StatefulSetBuilderGolden, ThreeMembersWithOnDeleteUpdateStrategy) {
  const json etcd = base_etcd_json(3);
  StatefulSetInputs inputs = inputs_for(etcd);
  inputs.on_delete_update_strategy = true;
  EXPECT_TRUE(matches_golden(build(etcd, inputs), "statefulset/3-replicas-on-delete.json"));
}

TEST(StatefulSetBuilder, OnDeleteChangesOnlyTheUpdateStrategy) {
  const json etcd = base_etcd_json(3);
  StatefulSetInputs inputs = inputs_for(etcd);
  const json rolling = build(etcd, inputs);
  inputs.on_delete_update_strategy = true;
  const json on_delete = build(etcd, inputs);
  // rollingUpdate is asked to be absent: Kubernetes rejects it next to OnDelete.
  EXPECT_EQ(on_delete["spec"]["updateStrategy"],
            json({{"type", "OnDelete"}, {"rollingUpdate", nullptr}}));
  EXPECT_EQ(rolling["spec"]["updateStrategy"], json({{"type", "RollingUpdate"}}));
  // The pod template (and so the revision) is the same.
  EXPECT_EQ(on_delete["spec"]["template"], rolling["spec"]["template"]);
  json a = on_delete;
  json b = rolling;
  a["spec"].erase("updateStrategy");
  b["spec"].erase("updateStrategy");
  EXPECT_EQ(a, b);
}

TEST(StatefulSetBuilderGolden, CustomisedEverything) {
  EXPECT_TRUE(matches_golden(build(customised_etcd()), "statefulset/customised.json"));
}

// ---------------------------------------------------------------------------
// Arguments, in order

TEST(StatefulSetBuilderArgs, BackupRestoreArgumentsOfTheCustomisedEtcdInOrder) {
  const std::vector<std::string> expected = {
      "server",
      "--server-port=8180",
      "--enable-snapshot-lease-renewal=true",
      "--full-snapshot-lease-name=etcd-main-full-snap",
      "--delta-snapshot-lease-name=etcd-main-delta-snap",
      "--storage-provider=S3",
      "--store-prefix=shoot--dev--test--etcd-main",
      "--store-endpoint-override=https://s3.eu-central-1.amazonaws.com",
      "--schedule=0 */24 * * *",
      "--delta-snapshot-period=5m0s",
      "--delta-snapshot-retention-period=72h0m0s",
      "--delta-snapshot-memory-limit=1073741824",
      "--garbage-collection-policy=Exponential",
      "--garbage-collection-period=12h0m0s",
      "--compress-snapshots=false",
      "--compression-policy=zlib",
      "--etcd-snapshot-timeout=1h30m0s",
      "--defragmentation-schedule=0 */12 * * *",
      "--etcd-defrag-timeout=15m0s",
      "--auto-compaction-mode=revision",
      "--auto-compaction-retention=1000",
      "--insecure-transport=true",
      "--insecure-skip-tls-verify=true",
      "--endpoints=http://etcd-main-local:2479",
      "--service-endpoints=http://etcd-main-client:2479",
      "--data-dir=/var/etcd/data/new.etcd",
      "--restoration-temp-snapshots-dir=/var/etcd/data/restoration.temp",
      "--snapstore-temp-directory=/var/etcd/data/temp",
      "--etcd-connection-timeout=5m",
      "--use-etcd-wrapper=true",
      "--enable-member-lease-renewal=true",
      "--k8s-heartbeat-duration=15s",
      "--embedded-etcd-quota-bytes=12884901888",
      "--enable-profiling=true",
      "--etcd-connection-timeout-leader-election=7.5s",
      "--reelection-period=10s",
  };
  EXPECT_EQ(args_of(build(customised_etcd()), "backup-restore"), expected);
}

TEST(StatefulSetBuilderArgs, BackupRestoreArgumentsWithTlsAndDefaultsInOrder) {
  auto etcd = base_etcd_json(3);
  add_all_tls(etcd);
  add_store(etcd, "aws");
  etcd["spec"]["etcd"]["clientUrlTls"]["tlsCASecretRef"].erase("dataKey");
  etcd["spec"]["etcd"]["bootstrapWithExistingCluster"] = {
      {"members",
       json::array({{{"name", "source-0"},
                     {"peerUrls", json::array({"https://source-0.source-peer.src.svc:2380"})}}})},
      {"clientEndpoints", json::array({"https://source-client.src.svc:2379",
                                       "https://source-client-2.src.svc:2379"})}};
  const std::vector<std::string> expected = {
      "server",
      "--server-port=8080",
      "--enable-snapshot-lease-renewal=true",
      "--full-snapshot-lease-name=etcd-main-full-snap",
      "--delta-snapshot-lease-name=etcd-main-delta-snap",
      "--storage-provider=S3",
      "--store-prefix=shoot--dev--test--etcd-main",
      "--delta-snapshot-memory-limit=104857600",
      "--garbage-collection-policy=LimitBased",
      "--max-backups=7",
      "--compress-snapshots=true",
      "--compression-policy=gzip",
      "--etcd-snapshot-timeout=15m",
      "--etcd-defrag-timeout=15m",
      "--auto-compaction-mode=periodic",
      "--auto-compaction-retention=30m",
      "--cacert=/var/etcd/ssl/ca/ca.crt",
      "--cert=/var/etcd/ssl/client/tls.crt",
      "--key=/var/etcd/ssl/client/tls.key",
      "--insecure-transport=false",
      "--insecure-skip-tls-verify=false",
      "--endpoints=https://etcd-main-local:2379",
      "--service-endpoints=https://etcd-main-client:2379,https://source-client.src.svc:2379,"
      "https://source-client-2.src.svc:2379",
      "--server-cert=/var/etcdbr/ssl/server/tls.crt",
      "--server-key=/var/etcdbr/ssl/server/tls.key",
      "--data-dir=/var/etcd/data/new.etcd",
      "--restoration-temp-snapshots-dir=/var/etcd/data/restoration.temp",
      "--snapstore-temp-directory=/var/etcd/data/temp",
      "--etcd-connection-timeout=5m",
      "--use-etcd-wrapper=true",
      "--enable-member-lease-renewal=true",
      "--k8s-heartbeat-duration=10s",
      "--embedded-etcd-quota-bytes=8589934592",
  };
  EXPECT_EQ(args_of(build(etcd), "backup-restore"), expected);
}

TEST(StatefulSetBuilderArgs, BackupRestoreWithoutStoreHasNoStoreArguments) {
  const auto args = args_of(build(base_etcd_json(1)), "backup-restore");
  const std::vector<std::string> expected = {
      "server",
      "--server-port=8080",
      "--etcd-defrag-timeout=15m",
      "--auto-compaction-mode=periodic",
      "--auto-compaction-retention=30m",
      "--insecure-transport=true",
      "--insecure-skip-tls-verify=true",
      "--endpoints=http://etcd-main-local:2379",
      "--service-endpoints=http://etcd-main-client:2379",
      "--data-dir=/var/etcd/data/new.etcd",
      "--restoration-temp-snapshots-dir=/var/etcd/data/restoration.temp",
      "--snapstore-temp-directory=/var/etcd/data/temp",
      "--etcd-connection-timeout=5m",
      "--use-etcd-wrapper=true",
      "--enable-member-lease-renewal=true",
      "--k8s-heartbeat-duration=10s",
      "--embedded-etcd-quota-bytes=8589934592",
  };
  EXPECT_EQ(args, expected);
}

TEST(StatefulSetBuilderArgs, RuntimeComponentsDisabledDropsLeaseAndServiceArguments) {
  auto etcd = with_disabled_runtime_components(base_etcd_json(3));
  add_store(etcd, "aws");
  const auto args = args_of(build(etcd), "backup-restore");
  for (const char* prefix : {"--enable-snapshot-lease-renewal", "--full-snapshot-lease-name",
                             "--delta-snapshot-lease-name", "--service-endpoints",
                             "--enable-member-lease-renewal", "--k8s-heartbeat-duration"}) {
    EXPECT_FALSE(has_arg_prefix(args, prefix)) << prefix;
  }
  EXPECT_TRUE(has_arg_prefix(args, "--storage-provider=S3"));
  EXPECT_TRUE(has_arg_prefix(args, "--endpoints=http://etcd-main-local:2379"));
}

TEST(StatefulSetBuilderArgs, EtcdWrapperArgumentsWithAllTlsInOrder) {
  auto etcd = base_etcd_json(3);
  add_all_tls(etcd);
  etcd["spec"]["backup"]["tls"]["tlsCASecretRef"]["dataKey"] = "ca.pem";
  const std::vector<std::string> expected = {
      "start-etcd",
      "--backup-restore-host-port=etcd-main-local:8080",
      "--etcd-server-name=etcd-main-local",
      "--backup-restore-tls-enabled=true",
      "--backup-restore-ca-cert-bundle-path=/var/etcdbr/ssl/ca/ca.pem",
      "--etcd-client-cert-path=/var/etcd/ssl/client/tls.crt",
      "--etcd-client-key-path=/var/etcd/ssl/client/tls.key",
      "--etcd-client-port=2379",
      "--etcd-wrapper-port=9095",
  };
  EXPECT_EQ(args_of(build(etcd), "etcd"), expected);
  EXPECT_EQ(etcd_wrapper_args(decode(etcd)), expected);
}

TEST(StatefulSetBuilderArgs, EtcdWrapperArgumentsWithoutTls) {
  const std::vector<std::string> expected = {
      "start-etcd",
      "--backup-restore-host-port=etcd-main-local:8080",
      "--etcd-server-name=etcd-main-local",
      "--backup-restore-tls-enabled=false",
      "--etcd-client-port=2379",
      "--etcd-wrapper-port=9095",
  };
  EXPECT_EQ(args_of(build(base_etcd_json(1)), "etcd"), expected);
}

TEST(StatefulSetBuilderArgs, DurationsFromTheSpecArePrintedAsGoPrintsThem) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "aws");
  etcd["spec"]["etcd"]["etcdDefragTimeout"] = "90m";
  etcd["spec"]["backup"]["etcdSnapshotTimeout"] = "0.5s";
  etcd["spec"]["backup"]["deltaSnapshotPeriod"] = "1500ms";
  const auto args = args_of(build(etcd), "backup-restore");
  EXPECT_TRUE(has_arg_prefix(args, "--etcd-defrag-timeout=1h30m0s"));
  EXPECT_TRUE(has_arg_prefix(args, "--etcd-snapshot-timeout=500ms"));
  EXPECT_TRUE(has_arg_prefix(args, "--delta-snapshot-period=1.5s"));
}

// ---------------------------------------------------------------------------
// Rules between fields

TEST(StatefulSetBuilder, ReadinessProbeSchemeFollowsClientTlsNotBackupTls) {
  auto client_only = base_etcd_json(3);
  add_client_tls(client_only);
  EXPECT_EQ(container(build(client_only), "etcd")["readinessProbe"]["httpGet"]["scheme"], "HTTPS");

  auto backup_only = base_etcd_json(3);
  add_backup_tls(backup_only);
  EXPECT_EQ(container(build(backup_only), "etcd")["readinessProbe"]["httpGet"]["scheme"], "HTTP");
}

TEST(StatefulSetBuilder, RuntimeComponentsDisabledForcesZeroReplicas) {
  const auto etcd = with_disabled_runtime_components(base_etcd_json(3));
  const auto sts = build(etcd);
  EXPECT_EQ(sts["spec"]["replicas"], 0);
  EXPECT_FALSE(sts["spec"].contains("serviceName"));
  EXPECT_TRUE(
      sts["spec"]["template"]["spec"].value("serviceAccountName", nlohmann::json()).is_null());
}

TEST(StatefulSetBuilder, ReplicasComeFromTheInputs) {
  const auto etcd = base_etcd_json(3);
  auto inputs = inputs_for(etcd);
  inputs.replicas = 2;  // orphan adoption with two members in status
  EXPECT_EQ(build(etcd, inputs)["spec"]["replicas"], 2);
}

TEST(StatefulSetBuilder, WithoutChecksumThePodTemplateHasNoChecksumAnnotation) {
  const auto etcd = base_etcd_json(1);
  auto inputs = inputs_for(etcd);
  inputs.configmap_checksum.clear();
  const auto metadata = build(etcd, inputs)["spec"]["template"]["metadata"];
  EXPECT_FALSE(metadata.contains("annotations"));
}

TEST(StatefulSetBuilder, DruidLabelsWinOverSpecLabels) {
  auto etcd = base_etcd_json(1);
  etcd["spec"]["labels"]["app.kubernetes.io/component"] = "mine";
  const auto labels = build(etcd)["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["app.kubernetes.io/component"], "etcd-statefulset");
  EXPECT_EQ(labels["app"], "etcd-statefulset");
}

TEST(StatefulSetBuilder, ExistingSelectorThatMatchesKeepsTheNewTemplateLabels) {
  const auto etcd = base_etcd_json(3);
  const auto fresh = build(etcd);
  json existing = fresh;
  existing["spec"]["template"]["metadata"]["labels"]["old"] = "label";
  auto inputs = inputs_for(etcd);
  inputs.existing = &existing;
  EXPECT_EQ(build(etcd, inputs)["spec"]["template"]["metadata"]["labels"],
            fresh["spec"]["template"]["metadata"]["labels"]);
}

TEST(StatefulSetBuilder, ExistingSelectorThatDoesNotMatchKeepsTheOldTemplateLabels) {
  const auto etcd = base_etcd_json(3);
  json existing = {
      {"spec",
       {{"selector", {{"matchLabels", {{"instance", "etcd-main"}, {"name", "etcd"}}}}},
        {"template",
         {{"metadata",
           {{"labels", {{"instance", "etcd-main"}, {"name", "etcd"}, {"app", "old"}}}}}}}}}};
  auto inputs = inputs_for(etcd);
  inputs.existing = &existing;
  const auto labels = build(etcd, inputs)["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["instance"], "etcd-main");
  EXPECT_EQ(labels["name"], "etcd");
  EXPECT_EQ(labels["app"], "old");  // the old template's value wins
  EXPECT_EQ(labels["app.kubernetes.io/part-of"], "etcd-main");
  EXPECT_EQ(labels["role"], "main");
}

TEST(StatefulSetBuilder, ExistingSelectorWithUnknownOperatorIsAnError) {
  const auto etcd = base_etcd_json(3);
  json existing = {{"spec",
                    {{"selector",
                      {{"matchExpressions", json::array({{{"key", "a"},
                                                          {"operator", "Near"},
                                                          {"values", json::array({"b"})}}})}}}}}};
  auto inputs = inputs_for(etcd);
  inputs.existing = &existing;
  auto built = build_statefulset(decode(etcd), inputs);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("shoot--dev--test/etcd-main"), std::string::npos) << built.error();
  EXPECT_NE(built.error().find("spec.selector"), std::string::npos) << built.error();
}

TEST(StatefulSetBuilder, LocalStoreWithoutContainerHasVolumeButNoMountOrInitContainer) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "Local", false);
  etcd["spec"]["backup"]["store"].erase("container");
  const auto sts = build(etcd);
  const auto& pod = sts["spec"]["template"]["spec"];
  EXPECT_TRUE(pod.value("initContainers", nlohmann::json()).is_null());
  EXPECT_EQ(
      pod["volumes"].back(),
      json({{"name", "local-backup"},
            {"hostPath",
             {{"path", "/etc/gardener/local-backupbuckets/"}, {"type", "DirectoryOrCreate"}}}}));
  for (const auto& mount : container(sts, "backup-restore")["volumeMounts"]) {
    EXPECT_NE(mount["name"], "local-backup");
  }
  // STORAGE_CONTAINER is still set, without a value (omitempty).
  EXPECT_EQ(container(sts, "backup-restore")["env"][2], json({{"name", "STORAGE_CONTAINER"}}));
}

TEST(StatefulSetBuilder, EmptyStorageClassIsNotSent) {
  auto etcd = base_etcd_json(1);
  etcd["spec"]["storageClass"] = "";
  const auto claim = build(etcd)["spec"]["volumeClaimTemplates"][0];
  EXPECT_FALSE(claim["spec"].contains("storageClassName"));
}

TEST(StatefulSetBuilder, StoreWithoutProviderPassesAnEmptyProvider) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "aws");
  etcd["spec"]["backup"]["store"].erase("provider");
  const auto sts = build(etcd);
  EXPECT_TRUE(has_arg_prefix(args_of(sts, "backup-restore"), "--storage-provider="));
  EXPECT_EQ(container(sts, "backup-restore")["env"].size(), 3u);  // no credentials variable
  EXPECT_EQ(sts["spec"]["template"]["spec"]["volumes"].size(), 1u);
}

// ---------------------------------------------------------------------------
// Errors name the field

TEST(StatefulSetBuilderErrors, EcsWithoutSecretRef) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "ECS", false);
  const auto error = build_error(etcd);
  EXPECT_NE(error.find("spec.backup.store.secretRef"), std::string::npos) << error;
  EXPECT_NE(error.find("ECS"), std::string::npos) << error;
}

TEST(StatefulSetBuilderErrors, UnparsableQuota) {
  auto etcd = base_etcd_json(1);
  etcd["spec"]["etcd"]["quota"] = "8 gigs";
  const auto error = build_error(etcd);
  EXPECT_EQ(error.rfind("spec.etcd.quota: ", 0), 0u) << error;
}

TEST(StatefulSetBuilderErrors, UnparsableDeltaSnapshotMemoryLimit) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "aws");
  etcd["spec"]["backup"]["deltaSnapshotMemoryLimit"] = "lots";
  EXPECT_EQ(build_error(etcd).rfind("spec.backup.deltaSnapshotMemoryLimit: ", 0), 0u);
}

TEST(StatefulSetBuilderErrors, UnparsableStorageCapacity) {
  auto etcd = base_etcd_json(1);
  etcd["spec"]["storageCapacity"] = "16GiB";
  EXPECT_EQ(build_error(etcd).rfind("spec.storageCapacity: ", 0), 0u) << build_error(etcd);
}

TEST(StatefulSetBuilderErrors, UnparsableDurations) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"/spec/backup/deltaSnapshotPeriod", "spec.backup.deltaSnapshotPeriod: "},
      {"/spec/backup/deltaSnapshotRetentionPeriod", "spec.backup.deltaSnapshotRetentionPeriod: "},
      {"/spec/backup/garbageCollectionPeriod", "spec.backup.garbageCollectionPeriod: "},
      {"/spec/backup/etcdSnapshotTimeout", "spec.backup.etcdSnapshotTimeout: "},
      {"/spec/backup/leaderElection/reelectionPeriod",
       "spec.backup.leaderElection.reelectionPeriod: "},
      {"/spec/backup/leaderElection/etcdConnectionTimeout",
       "spec.backup.leaderElection.etcdConnectionTimeout: "},
      {"/spec/etcd/etcdDefragTimeout", "spec.etcd.etcdDefragTimeout: "},
      {"/spec/etcd/heartbeatDuration", "spec.etcd.heartbeatDuration: "},
  };
  for (const auto& [pointer, prefix] : fields) {
    auto etcd = base_etcd_json(1);
    add_store(etcd, "aws");
    etcd[json::json_pointer(pointer)] = "5x";
    const auto error = build_error(etcd);
    EXPECT_EQ(error.rfind(prefix, 0), 0u) << pointer << ": " << error;
  }
}

TEST(StatefulSetBuilderErrors, UnsupportedProvider) {
  auto etcd = base_etcd_json(1);
  add_store(etcd, "ftp");
  EXPECT_EQ(build_error(etcd), "spec.backup.store.provider: unsupported storage provider: 'ftp'");
}

TEST(StatefulSetBuilderErrors, UnparsableResourceQuantity) {
  auto etcd = base_etcd_json(1);
  etcd["spec"]["backup"]["resources"] = {{"limits", {{"memory", "a lot"}}}};
  EXPECT_EQ(build_error(etcd).rfind("spec.backup.resources.limits.memory: ", 0), 0u)
      << build_error(etcd);
}

}  // namespace
}  // namespace druid::component
