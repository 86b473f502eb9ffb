#include "api/etcd_copy_backups_task.hpp"

#include <gtest/gtest.h>

namespace druid::api {
namespace {

nlohmann::json full_task() {
  return nlohmann::json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1",
    "kind": "EtcdCopyBackupsTask",
    "metadata": {"name": "copy", "namespace": "shoot--a--b", "generation": 2},
    "spec": {
      "podLabels": {"team": "etcd"},
      "sourceStore": {"prefix": "src", "provider": "aws", "container": "bucket-a",
                      "secretRef": {"name": "src-secret"}},
      "targetStore": {"prefix": "dst", "provider": "gcp", "container": "bucket-b",
                      "endpointOverride": "https://storage.example.com"},
      "maxBackupAge": 7,
      "maxBackups": 3,
      "waitForFinalSnapshot": {"enabled": true, "timeout": "10m"}
    },
    "status": {
      "observedGeneration": 2,
      "lastError": "boom",
      "conditions": [{"type": "Succeeded", "status": "True", "reason": "Done", "message": "ok",
                      "lastTransitionTime": "2024-05-01T10:00:00Z",
                      "lastUpdateTime": "2024-05-01T10:00:00Z"}]
    }
  })");
}

// As for Etcd (test/fuzz/regressions/etcd_codec): an empty kind is the type's own.
TEST(EtcdCopyBackupsTask, EmptyTypeMetaIsTheTypesOwn) {
  auto task = decode_etcd_copy_backups_task(nlohmann::json{{"apiVersion", ""}, {"kind", ""}});
  ASSERT_TRUE(task.has_value()) << to_string(task.error());
  EXPECT_EQ(task->api_version, "druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(task->kind, "EtcdCopyBackupsTask");
}

TEST(EtcdCopyBackupsTask, DecodesEveryField) {
  auto task = decode_etcd_copy_backups_task(full_task());
  ASSERT_TRUE(task) << to_string(task.error());
  EXPECT_EQ(task->kind, kEtcdCopyBackupsTaskKind);
  EXPECT_EQ(task->metadata.name, "copy");
  EXPECT_EQ(task->spec.pod_labels.at("team"), "etcd");
  EXPECT_EQ(task->spec.source_store.prefix, "src");
  EXPECT_EQ(task->spec.source_store.provider, "aws");
  EXPECT_EQ(task->spec.source_store.secret_ref->name, "src-secret");
  EXPECT_EQ(task->spec.target_store.endpoint_override, "https://storage.example.com");
  EXPECT_EQ(task->spec.max_backup_age, 7u);
  EXPECT_EQ(task->spec.max_backups, 3u);
  ASSERT_TRUE(task->spec.wait_for_final_snapshot);
  EXPECT_TRUE(task->spec.wait_for_final_snapshot->enabled);
  EXPECT_EQ(task->spec.wait_for_final_snapshot->timeout, "10m");
  ASSERT_TRUE(task->status);
  EXPECT_EQ(task->status->observed_generation, 2);
  EXPECT_EQ(task->status->last_error, "boom");
  const auto* succeeded = task->status->condition(copy_backups_condition::kSucceeded);
  ASSERT_NE(succeeded, nullptr);
  EXPECT_EQ(succeeded->reason, "Done");
  EXPECT_EQ(task->status->condition(copy_backups_condition::kFailed), nullptr);
}

TEST(EtcdCopyBackupsTask, RoundTripsKeepingUnknownFields) {
  auto j = full_task();
  j["futureTopLevel"] = 1;
  j["spec"]["futureSpecField"] = {{"a", true}};
  j["spec"]["sourceStore"]["futureStoreField"] = "x";
  j["spec"]["waitForFinalSnapshot"]["futureWaitField"] = 5;
  j["status"]["futureStatusField"] = "y";
  j["metadata"]["managedFields"] = nlohmann::json::array({{{"manager", "kubectl"}}});
  auto task = decode_etcd_copy_backups_task(j);
  ASSERT_TRUE(task) << to_string(task.error());
  EXPECT_EQ(encode_etcd_copy_backups_task(*task), j);
}

TEST(EtcdCopyBackupsTask, WritesDisabledWaitForFinalSnapshotExplicitly) {
  EtcdCopyBackupsTask task;
  task.spec.source_store.prefix = "src";
  task.spec.target_store.prefix = "dst";
  task.spec.wait_for_final_snapshot = WaitForFinalSnapshotSpec{};
  task.spec.max_backups = 0;
  const auto j = encode_etcd_copy_backups_task(task);
  EXPECT_EQ(j["apiVersion"], "druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(j["kind"], "EtcdCopyBackupsTask");
  // enabled is required: false is written, not dropped.
  EXPECT_EQ(j["spec"]["waitForFinalSnapshot"], nlohmann::json({{"enabled", false}}));
  // A set optional is written even when zero.
  EXPECT_EQ(j["spec"]["maxBackups"], 0);
  EXPECT_FALSE(j["spec"].contains("maxBackupAge"));
}

TEST(EtcdCopyBackupsTask, DecodeErrorsNameTheField) {
  auto j = full_task();
  j["spec"]["maxBackups"] = "three";
  j["spec"]["podLabels"]["team"] = 5;
  auto task = decode_etcd_copy_backups_task(j);
  ASSERT_FALSE(task);
  ASSERT_EQ(task.error().size(), 2u);
  EXPECT_EQ(task.error()[0].message(),
            "spec.podLabels[team]: Invalid value: \"integer\": spec.podLabels[team] in body must "
            "be of type string: \"integer\"");
  EXPECT_EQ(task.error()[1].message(),
            "spec.maxBackups: Invalid value: \"string\": spec.maxBackups in body must be of type "
            "integer: \"string\"");
}

TEST(EtcdCopyBackupsTask, DecodeDoesNotDemandRequiredFields) {
  auto task = decode_etcd_copy_backups_task(nlohmann::json::parse(R"({"spec": {}})"));
  ASSERT_TRUE(task);
  EXPECT_EQ(task->spec.source_store.prefix, "");
}

TEST(EtcdCopyBackupsTask, RejectsNonObject) {
  auto task = decode_etcd_copy_backups_task(nlohmann::json::array());
  ASSERT_FALSE(task);
  EXPECT_EQ(task.error().front().field, "<nil>");
}

}  // namespace
}  // namespace druid::api
