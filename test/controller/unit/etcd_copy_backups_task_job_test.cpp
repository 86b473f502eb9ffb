// The `<task>-worker` Job of an EtcdCopyBackupsTask (issue 14, item 2): what
// the job builder makes of each provider pair, its optional arguments and
// labels, and the message each task it cannot serve gets. Complete jobs are
// pinned by golden files under test/golden/copybackupsjob/.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "api/image_vector.hpp"
#include "controller/etcdcopybackupstask/error_codes.hpp"
#include "controller/etcdcopybackupstask/job_builder.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::test {
namespace {

using controller::etcdcopybackupstask::build_copy_backups_job;
using controller::etcdcopybackupstask::JobInputs;
namespace error_code = controller::etcdcopybackupstask::error_code;
using nlohmann::json;

json store(const std::string& provider, const std::string& container, bool secret = true) {
  json s = {{"prefix", std::string(kTestNamespace) + "--etcd-main"},
            {"container", container},
            {"provider", provider}};
  if (secret) s["secretRef"] = {{"name", container + "-secret"}};
  return s;
}

json task_json(json source, json target) {
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "EtcdCopyBackupsTask"},
          {"metadata",
           {{"name", "copy"},
            {"namespace", kTestNamespace},
            {"uid", "0f3e5a1c-7b2d-4e8f-9a6b-1c2d3e4f5a6b"},
            {"generation", 1}}},
          {"spec", {{"sourceStore", std::move(source)}, {"targetStore", std::move(target)}}}};
}

api::EtcdCopyBackupsTask decode_task(const json& j) {
  auto task = api::decode_etcd_copy_backups_task(j);
  EXPECT_TRUE(task) << api::to_string(task.error());
  return *task;
}

json build(const json& task, const JobInputs& inputs = {}) {
  auto job = build_copy_backups_job(decode_task(task), api::embedded_image_vector(), inputs);
  EXPECT_TRUE(job) << job.error().message;
  return job ? *job : json();
}

const json& pod_spec(const json& job) {
  return job["spec"]["template"]["spec"];
}
const json& container(const json& job) {
  return pod_spec(job)["containers"][0];
}

json env_named(const json& job, const std::string& name) {
  for (const auto& env : container(job)["env"]) {
    if (env["name"] == name) return env;
  }
  return json();
}

json args(const json& job) {
  return container(job)["args"];
}

bool has_arg(const json& job, const std::string& arg) {
  for (const auto& a : args(job)) {
    if (a == arg) return true;
  }
  return false;
}

std::string image(const char* name) {
  return *api::find_image(api::embedded_image_vector(), name);
}

TEST(CopyBackupsJobTest, AwsToLocalMatchesGolden) {
  json task = task_json(store("aws", "source-bucket"), store("Local", "target-bucket", false));
  task["spec"]["maxBackupAge"] = 7;
  task["spec"]["maxBackups"] = 10;
  task["spec"]["waitForFinalSnapshot"] = {{"enabled", true}, {"timeout", "10m"}};
  EXPECT_TRUE(matches_golden(build(task), "copybackupsjob/aws-to-local.json"));
}

TEST(CopyBackupsJobTest, GcsToAzureMatchesGolden) {
  EXPECT_TRUE(matches_golden(
      build(task_json(store("gcp", "source-bucket"), store("azure", "target-bucket"))),
      "copybackupsjob/gcs-to-abs.json"));
}

TEST(CopyBackupsJobTest, JobIdentity) {
  const json job = build(task_json(store("aws", "src"), store("gcp", "dst")));
  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["kind"], "Job");
  EXPECT_EQ(job["metadata"]["name"], "copy-worker");
  EXPECT_EQ(job["metadata"]["namespace"], kTestNamespace);
  EXPECT_EQ(job["metadata"]["labels"],
            json({{"app.kubernetes.io/component", "etcd-copy-backups-job"},
                  {"app.kubernetes.io/part-of", "copy"},
                  {"app.kubernetes.io/managed-by", "etcd-druid"},
                  {"app.kubernetes.io/name", "copy-worker"}}));
  EXPECT_EQ(job["metadata"]["ownerReferences"],
            json::array({{{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                          {"kind", "EtcdCopyBackupsTask"},
                          {"name", "copy"},
                          {"uid", "0f3e5a1c-7b2d-4e8f-9a6b-1c2d3e4f5a6b"},
                          {"controller", true},
                          {"blockOwnerDeletion", true}}}));
  const json& spec = pod_spec(job);
  EXPECT_EQ(spec["restartPolicy"], "OnFailure");
  EXPECT_EQ(spec["shareProcessNamespace"], true);
  EXPECT_EQ(spec["securityContext"], json({{"runAsUser", 65532},
                                           {"runAsGroup", 65532},
                                           {"fsGroup", 65532},
                                           {"runAsNonRoot", true}}));
  EXPECT_EQ(container(job)["name"], "copy-backups");
  EXPECT_EQ(container(job)["image"], image("etcd-backup-restore"));
  EXPECT_EQ(container(job)["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(container(job)["securityContext"], json({{"allowPrivilegeEscalation", false}}));
  // No Local store: nothing to chown.
  EXPECT_FALSE(spec.contains("initContainers"));
}

TEST(CopyBackupsJobTest, UpgradeEtcdVersionGateSelectsTheNextImage) {
  JobInputs inputs;
  inputs.upgrade_etcd_version = true;
  const json job = build(task_json(store("aws", "src"), store("gcp", "dst")), inputs);
  EXPECT_EQ(container(job)["image"], image("etcd-backup-restore-next"));
}

TEST(CopyBackupsJobTest, ArgumentsInUpstreamOrder) {
  json target = store("aws", "dst");
  target["endpointOverride"] = "https://s3.example.com";
  json task = task_json(store("openstack", "src"), target);
  task["spec"]["maxBackupAge"] = 3;
  task["spec"]["maxBackups"] = 0;
  task["spec"]["waitForFinalSnapshot"] = {{"enabled", false}, {"timeout", "1h30m"}};
  EXPECT_EQ(
      args(build(task)),
      json::array(
          {"copy", "--snapstore-temp-directory=/home/nonroot/data/tmp", "--storage-provider=S3",
           "--store-prefix=shoot--dev--test--etcd-main", "--store-container=dst",
           "--store-endpoint-override=https://s3.example.com", "--source-storage-provider=Swift",
           "--source-store-prefix=shoot--dev--test--etcd-main", "--source-store-container=src",
           "--max-backup-age=3", "--max-backups-to-copy=0", "--wait-for-final-snapshot=false",
           "--wait-for-final-snapshot-timeout=1h30m0s"}));
}

TEST(CopyBackupsJobTest, OptionalArgumentsOnlyWhenSet) {
  json task = task_json(store("aws", "src"), store("gcp", "dst"));
  json job = build(task);
  EXPECT_EQ(args(job).size(), 8u) << args(job).dump();
  for (const auto& arg : args(job)) {
    const std::string text = arg;
    EXPECT_EQ(text.find("--max-"), std::string::npos) << text;
    EXPECT_EQ(text.find("--wait-for-final-snapshot"), std::string::npos) << text;
    EXPECT_EQ(text.find("endpoint-override"), std::string::npos) << text;
  }
  task["spec"]["waitForFinalSnapshot"] = {{"enabled", true}};
  job = build(task);
  EXPECT_TRUE(has_arg(job, "--wait-for-final-snapshot=true"));
  EXPECT_EQ(args(job).back(), "--wait-for-final-snapshot=true");  // no timeout without one
}

struct ProviderCase {
  const char* provider;
  const char* variable;
  const char* target_path;  // the target's credentials variable value
  const char* source_path;
  const char* target_mount;
  const char* source_mount;
};

// Named in test listings by provider rather than by bytes.
void PrintTo(const ProviderCase& c, std::ostream* os) {
  *os << c.provider;
}

class CopyBackupsJobProviderTest : public ::testing::TestWithParam<ProviderCase> {};

TEST_P(CopyBackupsJobProviderTest, CredentialsEnvVolumesAndMounts) {
  const ProviderCase& c = GetParam();
  const json job = build(task_json(store(c.provider, "src"), store(c.provider, "dst")));
  EXPECT_EQ(env_named(job, "SOURCE_STORAGE_CONTAINER")["value"], "src");
  EXPECT_EQ(env_named(job, "STORAGE_CONTAINER")["value"], "dst");
  EXPECT_EQ(env_named(job, c.variable)["value"], c.target_path);
  EXPECT_EQ(env_named(job, std::string("SOURCE_") + c.variable)["value"], c.source_path);
  // Source first, then target.
  EXPECT_EQ(container(job)["env"][0]["name"], "SOURCE_STORAGE_CONTAINER");
  EXPECT_EQ(container(job)["env"].size(), 4u);
  EXPECT_EQ(container(job)["volumeMounts"],
            json::array({{{"name", "source-etcd-backup-secret"}, {"mountPath", c.source_mount}},
                         {{"name", "etcd-backup-secret"}, {"mountPath", c.target_mount}}}));
  EXPECT_EQ(pod_spec(job)["volumes"],
            json::array({{{"name", "source-etcd-backup-secret"},
                          {"secret", {{"secretName", "src-secret"}, {"defaultMode", 0640}}}},
                         {{"name", "etcd-backup-secret"},
                          {"secret", {{"secretName", "dst-secret"}, {"defaultMode", 0640}}}}}));
}

INSTANTIATE_TEST_SUITE_P(
    Providers, CopyBackupsJobProviderTest,
    ::testing::Values(
        ProviderCase{"aws", "AWS_APPLICATION_CREDENTIALS", "/var/etcd-backup",
                     "/var/source-etcd-backup", "/var/etcd-backup/", "/var/source-etcd-backup/"},
        ProviderCase{"azure", "AZURE_APPLICATION_CREDENTIALS", "/var/etcd-backup",
                     "/var/source-etcd-backup", "/var/etcd-backup/", "/var/source-etcd-backup/"},
        ProviderCase{"gcp", "GOOGLE_APPLICATION_CREDENTIALS", "/var/.gcp/serviceaccount.json",
                     "/var/.source-gcp/serviceaccount.json", "/var/.gcp/", "/var/.source-gcp/"},
        ProviderCase{"openstack", "OPENSTACK_APPLICATION_CREDENTIALS", "/var/etcd-backup",
                     "/var/source-etcd-backup", "/var/etcd-backup/", "/var/source-etcd-backup/"},
        ProviderCase{"alicloud", "ALICLOUD_APPLICATION_CREDENTIALS", "/var/etcd-backup",
                     "/var/source-etcd-backup", "/var/etcd-backup/", "/var/source-etcd-backup/"},
        ProviderCase{"openshift", "OPENSHIFT_APPLICATION_CREDENTIALS", "/var/etcd-backup",
                     "/var/source-etcd-backup", "/var/etcd-backup/", "/var/source-etcd-backup/"}),
    [](const auto& info) { return std::string(info.param.provider); });

TEST(CopyBackupsJobTest, LocalToLocalChownsBothBucketsAsRoot) {
  JobInputs inputs;
  inputs.source_local_host_path = "/data/old-buckets";
  const json job =
      build(task_json(store("local", "src", false), store("Local", "dst", true)), inputs);
  const json mounts =
      json::array({{{"name", "source-host-storage"}, {"mountPath", "/home/nonroot/src"}},
                   {{"name", "host-storage"}, {"mountPath", "/home/nonroot/dst"}}});
  EXPECT_EQ(container(job)["volumeMounts"], mounts);
  EXPECT_EQ(pod_spec(job)["volumes"],
            json::array(
                {{{"name", "source-host-storage"},
                  {"hostPath", {{"path", "/data/old-buckets/src"}, {"type", "DirectoryOrCreate"}}}},
                 {{"name", "host-storage"},
                  {"hostPath",
                   {{"path", "/etc/gardener/local-backupbuckets/dst"},
                    {"type", "DirectoryOrCreate"}}}}}));
  // Local stores carry no credentials variables.
  EXPECT_EQ(container(job)["env"],
            json::array({{{"name", "SOURCE_STORAGE_CONTAINER"}, {"value", "src"}},
                         {{"name", "STORAGE_CONTAINER"}, {"value", "dst"}}}));
  ASSERT_EQ(pod_spec(job)["initContainers"].size(), 1u);
  const json& init = pod_spec(job)["initContainers"][0];
  EXPECT_EQ(init["name"], "change-backup-bucket-permissions");
  EXPECT_EQ(init["image"], image("alpine"));
  EXPECT_EQ(init["command"],
            json::array({"chown", "-R", "65532:65532", "/home/nonroot/dst", "/home/nonroot/src"}));
  EXPECT_EQ(init["volumeMounts"], mounts);
  EXPECT_EQ(init["securityContext"], json({{"allowPrivilegeEscalation", false},
                                           {"runAsGroup", 0},
                                           {"runAsNonRoot", false},
                                           {"runAsUser", 0}}));
}

TEST(CopyBackupsJobTest, OnlyALocalTargetGetsTheInitContainer) {
  // A Local source with a cloud target: the copy reads as the non-root user
  // whom the fsGroup already lets in; nothing is chowned.
  EXPECT_FALSE(pod_spec(build(task_json(store("Local", "src", false), store("aws", "dst"))))
                   .contains("initContainers"));
  // A cloud source is not mounted anywhere chown could reach.
  const json job = build(task_json(store("aws", "src"), store("Local", "dst", false)));
  EXPECT_EQ(pod_spec(job)["initContainers"][0]["command"],
            json::array({"chown", "-R", "65532:65532", "/home/nonroot/dst"}));
}

TEST(CopyBackupsJobTest, PodLabelsAreMergedAndWin) {
  json task = task_json(store("aws", "src"), store("gcp", "dst"));
  task["spec"]["podLabels"] = {{"team", "etcd"}, {"app.kubernetes.io/name", "custom"}};
  const json job = build(task);
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"],
            json({{"app.kubernetes.io/component", "etcd-copy-backups-job"},
                  {"app.kubernetes.io/part-of", "copy"},
                  {"app.kubernetes.io/managed-by", "etcd-druid"},
                  {"app.kubernetes.io/name", "custom"},
                  {"team", "etcd"}}));
  // The Job's own labels stay druid's: the informers find it by them.
  EXPECT_EQ(job["metadata"]["labels"]["app.kubernetes.io/name"], "copy-worker");
  EXPECT_FALSE(job["metadata"]["labels"].contains("team"));
}

struct BadInput {
  const char* name;
  json source;
  json target;
  const char* code;
  const char* message;
};

void PrintTo(const BadInput& c, std::ostream* os) {
  *os << c.name;
}

class CopyBackupsJobBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(CopyBackupsJobBadInputTest, IsRefusedWithItsMessage) {
  const BadInput& c = GetParam();
  auto job = build_copy_backups_job(decode_task(task_json(c.source, c.target)),
                                    api::embedded_image_vector(), {});
  ASSERT_FALSE(job) << job->dump(2);
  EXPECT_EQ(job.error().code, c.code);
  EXPECT_EQ(job.error().message, c.message);
}

json without(json j, const char* key) {
  j.erase(key);
  return j;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CopyBackupsJobBadInputTest,
    ::testing::Values(
        BadInput{"TargetWithoutSecretRef", store("aws", "src"), store("aws", "dst", false),
                 error_code::kStoreSecretRefRequired,
                 "spec.targetStore.secretRef: no secretRef is configured for backup store"},
        BadInput{"SourceWithoutSecretRef", store("gcp", "src", false), store("aws", "dst"),
                 error_code::kStoreSecretRefRequired,
                 "spec.sourceStore.secretRef: no secretRef is configured for backup source-store"},
        BadInput{"TargetWithoutContainer", store("aws", "src"),
                 without(store("aws", "dst"), "container"), error_code::kStoreContainerRequired,
                 "spec.targetStore.container: Required value: the copy-backups job needs the "
                 "container (bucket) of the store"},
        BadInput{"SourceWithoutContainer", without(store("Local", "src", false), "container"),
                 store("aws", "dst"), error_code::kStoreContainerRequired,
                 "spec.sourceStore.container: Required value: the copy-backups job needs the "
                 "container (bucket) of the source-store"},
        BadInput{"EcsTarget", store("aws", "src"), store("dell", "dst"),
                 error_code::kUnsupportedStorageProvider,
                 "spec.targetStore.provider: storage provider 'dell' is not supported for "
                 "copying backups"},
        BadInput{"EcsSource", store("ECS", "src"), store("aws", "dst"),
                 error_code::kUnsupportedStorageProvider,
                 "spec.sourceStore.provider: storage provider 'ECS' is not supported for copying "
                 "backups"},
        BadInput{"UnknownProvider", store("aws", "src"), store("minio", "dst"),
                 error_code::kUnsupportedStorageProvider,
                 "spec.targetStore.provider: unsupported storage provider: 'minio'"},
        BadInput{"SourceIsTarget", store("aws", "bucket"), store("S3", "bucket"),
                 error_code::kSameSourceAndTarget,
                 "spec.targetStore: the target store is the source store (provider 'S3', "
                 "container 'bucket', prefix 'shoot--dev--test--etcd-main'): backups cannot be "
                 "copied onto themselves"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CopyBackupsJobTest, SameBucketWithAnotherPrefixOrEndpointIsAnotherStore) {
  json target = store("aws", "bucket");
  target["prefix"] = "elsewhere";
  EXPECT_TRUE(build_copy_backups_job(decode_task(task_json(store("aws", "bucket"), target)),
                                     api::embedded_image_vector(), {}));
  target = store("aws", "bucket");
  target["endpointOverride"] = "https://minio.example.com";
  EXPECT_TRUE(build_copy_backups_job(decode_task(task_json(store("aws", "bucket"), target)),
                                     api::embedded_image_vector(), {}));
}

TEST(CopyBackupsJobTest, AMissingImageIsNamed) {
  const api::ImageVector empty;
  auto job = build_copy_backups_job(
      decode_task(task_json(store("aws", "src"), store("gcp", "dst"))), empty, {});
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().code, error_code::kImageNotFound);
  EXPECT_EQ(job.error().message, "could not find image \"etcd-backup-restore\" opts ");
}

}  // namespace
}  // namespace druid::test
