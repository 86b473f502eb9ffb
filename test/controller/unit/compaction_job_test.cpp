// The `<etcd>-compactor` Job (issue 14, item 1; upstream's createCompactionJob):
// the complete Job per store provider as golden files, and the rules one by
// one: arguments in order, env, volumes and mounts, labels, resources, the
// pod annotations without safe-to-evict=false, and the refusals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/image_vector.hpp"
#include "controller/compaction/error_codes.hpp"
#include "controller/compaction/job_builder.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::test {
namespace {

using controller::compaction::build_compaction_job;
using controller::compaction::CompactionJobSettings;
namespace error_code = controller::compaction::error_code;
using nlohmann::json;

json etcd_with_store(const std::string& provider, bool with_secret = true) {
  json etcd = base_etcd_json(3);
  add_store(etcd, provider, with_secret);
  return etcd;
}

json build(const json& etcd, CompactionJobSettings settings = {}) {
  auto job = build_compaction_job(decode(etcd), api::embedded_image_vector(), settings);
  if (!job) ADD_FAILURE() << job.error().code << ": " << job.error().message;
  return job ? *job : json();
}

const json& container(const json& job) {
  return job["spec"]["template"]["spec"]["containers"][0];
}

std::string backup_restore_image() {
  return *api::find_image(api::embedded_image_vector(), "etcd-backup-restore");
}

struct ProviderCase {
  const char* provider;
  const char* golden;
};

class CompactionJobPerProvider : public ::testing::TestWithParam<ProviderCase> {};

TEST_P(CompactionJobPerProvider, MatchesGolden) {
  const auto& [provider, golden] = GetParam();
  EXPECT_TRUE(matches_golden(build(etcd_with_store(provider)),
                             std::string("compactionjob/") + golden + ".json"));
}

INSTANTIATE_TEST_SUITE_P(
    Providers, CompactionJobPerProvider,
    ::testing::Values(ProviderCase{"Local", "local"}, ProviderCase{"aws", "s3"},
                      ProviderCase{"azure", "abs"}, ProviderCase{"gcp", "gcs"},
                      ProviderCase{"openstack", "swift"}, ProviderCase{"alicloud", "oss"},
                      ProviderCase{"openshift", "ocs"}, ProviderCase{"ECS", "ecs"}),
    [](const auto& info) { return std::string(info.param.golden); });

TEST(CompactionJob, MetadataOwnerAndLabels) {
  const json job = build(etcd_with_store("aws"));
  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["kind"], "Job");
  EXPECT_EQ(job["metadata"]["name"], "etcd-main-compactor");
  EXPECT_EQ(job["metadata"]["namespace"], kTestNamespace);
  const json labels = {{"app.kubernetes.io/managed-by", "etcd-druid"},
                       {"app.kubernetes.io/part-of", "etcd-main"},
                       {"app.kubernetes.io/name", "etcd-main-compactor"},
                       {"app.kubernetes.io/component", "etcd-snapshot-compaction-job"},
                       {"networking.gardener.cloud/to-dns", "allowed"},
                       {"networking.gardener.cloud/to-private-networks", "allowed"},
                       {"networking.gardener.cloud/to-public-networks", "allowed"}};
  EXPECT_EQ(job["metadata"]["labels"], labels);
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"], labels);
  const json owner = job["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["apiVersion"], "druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(owner["kind"], "Etcd");
  EXPECT_EQ(owner["name"], "etcd-main");
  EXPECT_EQ(owner["uid"], kTestEtcdUid);
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(owner["blockOwnerDeletion"], true);
}

TEST(CompactionJob, SpecAndPodSettings) {
  CompactionJobSettings settings;
  settings.active_deadline = std::chrono::minutes(2);
  const json job = build(etcd_with_store("aws"), settings);
  EXPECT_EQ(job["spec"]["activeDeadlineSeconds"], 120);
  EXPECT_EQ(job["spec"]["completions"], 1);
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
  const json pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod["activeDeadlineSeconds"], 120);
  EXPECT_EQ(pod["terminationGracePeriodSeconds"], 60);
  EXPECT_EQ(pod["serviceAccountName"], "etcd-main");
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_FALSE(pod.contains("securityContext"));
  const json& c = container(job);
  EXPECT_EQ(c["name"], "compact-backup");
  EXPECT_EQ(c["image"], backup_restore_image());
  EXPECT_EQ(c["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(c["securityContext"], json({{"allowPrivilegeEscalation", false}}));
  EXPECT_EQ(c["resources"], json({{"requests", {{"cpu", "600m"}, {"memory", "3Gi"}}}}));
}

TEST(CompactionJob, ArgumentsInUpstreamOrder) {
  json etcd = etcd_with_store("aws");
  etcd["spec"]["etcd"]["quota"] = "2Gi";
  etcd["spec"]["etcd"]["etcdDefragTimeout"] = "600s";
  etcd["spec"]["backup"]["etcdSnapshotTimeout"] = "20m";
  etcd["spec"]["backup"]["store"]["endpointOverride"] = "https://s3.example.com";
  CompactionJobSettings settings;
  settings.metrics_scrape_wait = "1m0s";
  const std::vector<std::string> expected = {
      "compact",
      "--data-dir=/var/etcd/data/compaction.etcd",
      "--restoration-temp-snapshots-dir=/var/etcd/data/compaction.restoration.temp",
      "--snapstore-temp-directory=/var/etcd/data/tmp",
      "--metrics-scrape-wait-duration=1m0s",
      "--enable-snapshot-lease-renewal=true",
      "--full-snapshot-lease-name=etcd-main-full-snap",
      "--delta-snapshot-lease-name=etcd-main-delta-snap",
      "--embedded-etcd-quota-bytes=2147483648",
      "--etcd-defrag-timeout=10m0s",
      "--etcd-snapshot-timeout=20m0s",
      "--storage-provider=S3",
      "--store-prefix=shoot--dev--test--etcd-main",
      "--store-container=etcd-bucket",
      "--store-endpoint-override=https://s3.example.com"};
  EXPECT_EQ(container(build(etcd, settings))["args"].get<std::vector<std::string>>(), expected);
}

TEST(CompactionJob, DefaultsLeaveOptionalArgumentsOut) {
  const auto args =
      container(build(etcd_with_store("aws")))["args"].get<std::vector<std::string>>();
  EXPECT_EQ(args[4], "--metrics-scrape-wait-duration=0s");
  EXPECT_EQ(args[8], "--embedded-etcd-quota-bytes=8589934592");  // 8Gi
  for (const auto& arg : args) {
    EXPECT_EQ(arg.find("--etcd-defrag-timeout"), std::string::npos);
    EXPECT_EQ(arg.find("--etcd-snapshot-timeout"), std::string::npos);
    EXPECT_EQ(arg.find("--store-endpoint-override"), std::string::npos);
  }
}

TEST(CompactionJob, EnvAndCredentialsPerProvider) {
  const json s3 = container(build(etcd_with_store("aws")));
  const json expected_env = json::array(
      {{{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
       {{"name", "POD_NAMESPACE"},
        {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}},
       {{"name", "STORAGE_CONTAINER"}, {"value", "etcd-bucket"}},
       {{"name", "AWS_APPLICATION_CREDENTIALS"}, {"value", "/var/etcd-backup"}}});
  EXPECT_EQ(s3["env"], expected_env);
  EXPECT_EQ(s3["volumeMounts"],
            json::parse(R"([{"name":"etcd-workspace-dir","mountPath":"/var/etcd/data"},
                            {"name":"etcd-backup-secret","mountPath":"/var/etcd-backup"}])"));

  const json gcs = build(etcd_with_store("gcp"));
  EXPECT_EQ(container(gcs)["env"][3], json({{"name", "GOOGLE_APPLICATION_CREDENTIALS"},
                                            {"value", "/var/.gcp/serviceaccount.json"}}));
  EXPECT_EQ(container(gcs)["volumeMounts"][1],
            json({{"name", "etcd-backup-secret"}, {"mountPath", "/var/.gcp/"}}));
  // The job's Secret volume has no defaultMode (upstream's job).
  EXPECT_EQ(gcs["spec"]["template"]["spec"]["volumes"][1],
            json({{"name", "etcd-backup-secret"}, {"secret", {{"secretName", "etcd-backup"}}}}));

  const json ecs = build(etcd_with_store("ECS"));
  EXPECT_EQ(container(ecs)["env"][3]["name"], "ECS_ENDPOINT");
  EXPECT_EQ(container(ecs)["env"][3]["valueFrom"]["secretKeyRef"],
            json({{"name", "etcd-backup"}, {"key", "endpoint"}, {"optional", false}}));
  EXPECT_EQ(ecs["spec"]["template"]["spec"]["volumes"].size(), 1u);  // the workspace only
}

TEST(CompactionJob, LocalStoreMountsTheHostDirectory) {
  CompactionJobSettings settings;
  const json default_path = build(etcd_with_store("Local", false), settings);
  EXPECT_EQ(default_path["spec"]["template"]["spec"]["volumes"][1],
            json({{"name", "host-storage"},
                  {"hostPath",
                   {{"path", "/etc/gardener/local-backupbuckets/etcd-bucket"},
                    {"type", "DirectoryOrCreate"}}}}));
  EXPECT_EQ(container(default_path)["volumeMounts"][1],
            json({{"name", "host-storage"}, {"mountPath", "/home/nonroot/etcd-bucket"}}));

  settings.local_host_path = "/data/buckets";
  json etcd = etcd_with_store("Local");
  etcd["spec"]["runAsRoot"] = true;
  const json custom = build(etcd, settings);
  EXPECT_EQ(custom["spec"]["template"]["spec"]["volumes"][1]["hostPath"]["path"],
            "/data/buckets/etcd-bucket");
  EXPECT_EQ(container(custom)["volumeMounts"][1]["mountPath"], "/root/etcd-bucket");
}

TEST(CompactionJob, PodAnnotationsDropOnlySafeToEvictFalse) {
  json etcd = etcd_with_store("aws");
  etcd["spec"]["annotations"] = {{"cluster-autoscaler.kubernetes.io/safe-to-evict", "false"},
                                 {"team", "etcd"}};
  EXPECT_EQ(build(etcd)["spec"]["template"]["metadata"]["annotations"], json({{"team", "etcd"}}));
  etcd["spec"]["annotations"]["cluster-autoscaler.kubernetes.io/safe-to-evict"] = "true";
  EXPECT_EQ(build(etcd)["spec"]["template"]["metadata"]["annotations"],
            json({{"cluster-autoscaler.kubernetes.io/safe-to-evict", "true"}, {"team", "etcd"}}));
  EXPECT_FALSE(
      build(etcd_with_store("aws"))["spec"]["template"]["metadata"].contains("annotations"));
}

TEST(CompactionJob, ResourcesFromSnapshotCompactionRequestsOnly) {
  json etcd = etcd_with_store("aws");
  etcd["spec"]["backup"]["snapshotCompaction"] = {
      {"resources",
       {{"requests", {{"cpu", "1"}, {"memory", "0"}}}, {"limits", {{"memory", "8Gi"}}}}}};
  // A zero request takes the default; limits are not passed on (upstream).
  EXPECT_EQ(container(build(etcd))["resources"],
            json({{"requests", {{"cpu", "1"}, {"memory", "3Gi"}}}}));
}

TEST(CompactionJob, ImageFromSpecOrUpgradeGate) {
  json etcd = etcd_with_store("aws");
  CompactionJobSettings next;
  next.upgrade_etcd_version = true;
  EXPECT_EQ(container(build(etcd, next))["image"],
            *api::find_image(api::embedded_image_vector(), "etcd-backup-restore-next"));
  etcd["spec"]["backup"]["image"] = "registry.example/etcdbrctl:v9";
  EXPECT_EQ(container(build(etcd))["image"], "registry.example/etcdbrctl:v9");
}

TEST(CompactionJob, CloudStoreWithoutSecretRefIsRefused) {
  for (const char* provider :
       {"aws", "azure", "gcp", "openstack", "alicloud", "openshift", "ECS"}) {
    auto job = build_compaction_job(decode(etcd_with_store(provider, false)),
                                    api::embedded_image_vector(), {});
    ASSERT_FALSE(job) << provider;
    EXPECT_EQ(job.error().code, error_code::kInvalidBackupStore) << provider;
    EXPECT_NE(job.error().message.find("spec.backup.store.secretRef: Required value"),
              std::string::npos)
        << provider << ": " << job.error().message;
  }
}

TEST(CompactionJob, UnknownProviderAndBadValuesAreRefused) {
  auto unknown =
      build_compaction_job(decode(etcd_with_store("floppy")), api::embedded_image_vector(), {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, error_code::kInvalidBackupStore);
  EXPECT_EQ(unknown.error().message,
            "spec.backup.store.provider: unsupported storage provider: 'floppy'");

  auto no_store = build_compaction_job(decode(base_etcd_json(3)), api::embedded_image_vector(), {});
  ASSERT_FALSE(no_store);
  EXPECT_EQ(no_store.error().code, error_code::kInvalidBackupStore);

  json etcd = etcd_with_store("aws");
  etcd["spec"]["backup"]["snapshotCompaction"] = {{"resources", {{"requests", {{"cpu", "lots"}}}}}};
  auto bad_cpu = build_compaction_job(decode(etcd), api::embedded_image_vector(), {});
  ASSERT_FALSE(bad_cpu);
  EXPECT_EQ(bad_cpu.error().code, error_code::kInvalidSpec);

  auto no_images = build_compaction_job(decode(etcd_with_store("aws")), api::ImageVector{}, {});
  ASSERT_FALSE(no_images);
  EXPECT_EQ(no_images.error().code, error_code::kImageNotFound);
}

}  // namespace
}  // namespace druid::test
