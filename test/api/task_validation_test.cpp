#include "api/validation/task_validation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace druid::api::validation {
namespace {

using nlohmann::json;

constexpr const char* kRulesNotChecked =
    "<nil>: Invalid value: \"null\": some validation rules were not checked because the object "
    "was invalid; correct the existing errors to complete validation";

std::vector<std::string> messages(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.message());
  return out;
}

using Messages = std::vector<std::string>;

// ---------------------------------------------------------------------------
// EtcdCopyBackupsTask

json copy_task() {
  return json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1",
    "kind": "EtcdCopyBackupsTask",
    "metadata": {"name": "copy", "namespace": "default"},
    "spec": {"sourceStore": {"prefix": "src", "provider": "aws", "container": "source-bucket"},
             "targetStore": {"prefix": "dst", "provider": "gcp", "container": "target-bucket"}}
  })");
}

FieldErrors validate_copy_with(const std::string& pointer, const json& value) {
  auto task = copy_task();
  task[json::json_pointer(pointer)] = value;
  return validate_etcd_copy_backups_task(task);
}

TEST(EtcdCopyBackupsTaskValidation, AcceptsAValidTask) {
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(copy_task())), Messages{});
  auto full = copy_task();
  full["spec"]["podLabels"] = {{"a", "b"}};
  full["spec"]["maxBackupAge"] = 0;
  full["spec"]["maxBackups"] = 0;
  full["spec"]["waitForFinalSnapshot"] = {{"enabled", true}, {"timeout", "0"}};
  full["spec"]["targetStore"]["endpointOverride"] = "https://storage.example.com:443";
  full["spec"]["targetStore"]["secretRef"] = {{"name", "creds"}};
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(full)), Messages{});
}

TEST(EtcdCopyBackupsTaskValidation, RequiresStores) {
  auto task = copy_task();
  task["spec"].erase("targetStore");
  task["spec"].erase("sourceStore");
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(task)),
            (Messages{"spec.sourceStore: Required value", "spec.targetStore: Required value",
                      kRulesNotChecked}));
}

TEST(EtcdCopyBackupsTaskValidation, RequiresStorePrefix) {
  auto task = copy_task();
  task["spec"]["sourceStore"].erase("prefix");
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(task)),
            (Messages{"spec.sourceStore.prefix: Required value", kRulesNotChecked}));
}

TEST(EtcdCopyBackupsTaskValidation, RequiresWaitForFinalSnapshotEnabled) {
  EXPECT_EQ(messages(validate_copy_with("/spec/waitForFinalSnapshot", {{"timeout", "1m"}})),
            (Messages{"spec.waitForFinalSnapshot.enabled: Required value", kRulesNotChecked}));
  EXPECT_EQ(messages(validate_copy_with("/spec/waitForFinalSnapshot", {{"enabled", false}})),
            Messages{});
}

TEST(EtcdCopyBackupsTaskValidation, MaxBackupsMinimumIsZero) {
  EXPECT_EQ(messages(validate_copy_with("/spec/maxBackups", -1)),
            Messages{"spec.maxBackups: Invalid value: -1: spec.maxBackups in body should be "
                     "greater than or equal to 0"});
  EXPECT_EQ(messages(validate_copy_with("/spec/maxBackups", 0)), Messages{});
}

TEST(EtcdCopyBackupsTaskValidation, MaxBackupAgeMinimumIsZero) {
  EXPECT_EQ(messages(validate_copy_with("/spec/maxBackupAge", -3)),
            Messages{"spec.maxBackupAge: Invalid value: -3: spec.maxBackupAge in body should be "
                     "greater than or equal to 0"});
  EXPECT_EQ(messages(validate_copy_with("/spec/maxBackupAge", 30)), Messages{});
}

TEST(EtcdCopyBackupsTaskValidation, ReportsTypeErrorsAndSkipsRules) {
  auto task = copy_task();
  task["spec"]["maxBackups"] = "3";
  task["spec"]["targetStore"]["endpointOverride"] = "not a url";
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(task)),
            (Messages{"spec.maxBackups: Invalid value: \"string\": spec.maxBackups in body must "
                      "be of type integer: \"string\"",
                      kRulesNotChecked}));
}

TEST(EtcdCopyBackupsTaskValidation, WaitTimeoutPattern) {
  for (const char* ok : {"0", "10m", "1h30m", "1.5s", "300ms", "5µs", "2us", "7ns"}) {
    EXPECT_EQ(messages(validate_copy_with("/spec/waitForFinalSnapshot",
                                          {{"enabled", true}, {"timeout", ok}})),
              Messages{})
        << ok;
  }
  for (const char* bad : {"10", "abc", "-1s", "1d", "", "00"}) {
    EXPECT_EQ(messages(validate_copy_with("/spec/waitForFinalSnapshot",
                                          {{"enabled", true}, {"timeout", bad}})),
              Messages{std::string("spec.waitForFinalSnapshot.timeout: Invalid value: \"") + bad +
                       "\": spec.waitForFinalSnapshot.timeout in body should match "
                       "'^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$'"})
        << bad;
  }
}

TEST(EtcdCopyBackupsTaskValidation, ContainerPattern) {
  for (const char* ok : {"abc", "my-bucket.v1_x", "A0Z", "0-9"}) {
    EXPECT_EQ(messages(validate_copy_with("/spec/sourceStore/container", ok)), Messages{}) << ok;
  }
  for (const char* bad : {"ab", "-abc", "abc-", "bucket;rm -rf /", "a b c", "$(id)"}) {
    EXPECT_EQ(messages(validate_copy_with("/spec/targetStore/container", bad)),
              Messages{std::string("spec.targetStore.container: Invalid value: \"") + bad +
                       "\": spec.targetStore.container in body should match "
                       "'^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$'"})
        << bad;
  }
}

TEST(EtcdCopyBackupsTaskValidation, ContainerMaxLength) {
  const std::string longest(63, 'a');
  EXPECT_EQ(messages(validate_copy_with("/spec/sourceStore/container", longest)), Messages{});
  const std::string too_long(64, 'a');
  const auto errors = messages(validate_copy_with("/spec/sourceStore/container", too_long));
  EXPECT_EQ(errors, (Messages{"spec.sourceStore.container: Too long: may not be longer than 63",
                              "spec.sourceStore.container: Invalid value: \"" + too_long +
                                  "\": spec.sourceStore.container in body should match "
                                  "'^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$'",
                              kRulesNotChecked}));
}

FieldErrors validate_endpoint(const std::string& endpoint) {
  return validate_copy_with("/spec/targetStore/endpointOverride", endpoint);
}

TEST(EtcdCopyBackupsTaskValidation, EndpointOverrideMustBeAUrl) {
  for (const char* ok :
       {"https://s3.eu-central-1.amazonaws.com", "http://10.0.0.1:9000/bucket?x=1",
        "http://user:pa%20ss@minio:9000", "https://[fd00::1]:8443/", "https://[fe80::1%25eth0]",
        "/local/path", "s3:bucket", "http://", "*", "https://host:/p", "https://höst.example"}) {
    EXPECT_EQ(messages(validate_endpoint(ok)), Messages{}) << ok;
  }
  for (const char* bad :
       {"", "not a url", "example.com", "storage.example.com/bucket", ":foo", "http://host:port",
        "http://ho st", "http://[::1", "http://a%zz", "/path%", "http://a|b", "http://x\ny"}) {
    EXPECT_EQ(messages(validate_endpoint(bad)),
              Messages{"spec.targetStore.endpointOverride: Invalid value: \"string\": endpoint "
                       "override must be a valid URL."})
        << bad;
  }
}

TEST(EtcdCopyBackupsTaskValidation, ChecksBothStores) {
  auto task = copy_task();
  task["spec"]["sourceStore"]["endpointOverride"] = "nope";
  task["spec"]["targetStore"]["endpointOverride"] = "nope";
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(task)),
            (Messages{"spec.sourceStore.endpointOverride: Invalid value: \"string\": endpoint "
                      "override must be a valid URL.",
                      "spec.targetStore.endpointOverride: Invalid value: \"string\": endpoint "
                      "override must be a valid URL."}));
}

TEST(EtcdCopyBackupsTaskValidation, DropsUnknownFieldsAndNullsBeforeValidating) {
  auto task = copy_task();
  task["spec"]["futureField"] = {{"container", "!"}};
  task["spec"]["maxBackups"] = nullptr;
  task["spec"]["sourceStore"]["unknown"] = 1;
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(task)), Messages{});
}

TEST(EtcdCopyBackupsTaskValidation, StatusIsDroppedOnCreate) {
  auto task = copy_task();
  task["status"] = {{"conditions", "not a list"}, {"lastError", 5}};
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(task)), Messages{});
}

TEST(EtcdCopyBackupsTaskValidation, ValidatesStatusConditionsOnUpdate) {
  auto task = copy_task();
  task["status"]["conditions"] = json::array({{{"type", "Succeeded"}, {"status", "True"}}});
  EXPECT_EQ(messages(validate_etcd_copy_backups_task_update(task, copy_task())),
            (Messages{"status.conditions[0].lastTransitionTime: Required value",
                      "status.conditions[0].lastUpdateTime: Required value",
                      "status.conditions[0].reason: Required value",
                      "status.conditions[0].message: Required value", kRulesNotChecked}));
  task["status"]["conditions"][0].update({{"lastTransitionTime", "2024-05-01T10:00:00Z"},
                                          {"lastUpdateTime", "2024-05-01T10:00:00Z"},
                                          {"reason", "Done"},
                                          {"message", "ok"}});
  EXPECT_EQ(messages(validate_etcd_copy_backups_task_update(task, copy_task())), Messages{});
}

TEST(EtcdCopyBackupsTaskValidation, ChecksTypeMeta) {
  auto task = copy_task();
  task["kind"] = "EtcdOpsTask";
  task["spec"].erase("sourceStore");
  EXPECT_EQ(messages(validate_etcd_copy_backups_task(task)),
            Messages{"kind: Invalid value: \"EtcdOpsTask\": must be EtcdCopyBackupsTask"});
}

TEST(EtcdCopyBackupsTaskValidation, ChecksMetadata) {
  auto task = copy_task();
  task["metadata"]["name"] = "Copy_Task";
  const auto errors = validate_etcd_copy_backups_task(task);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "metadata.name");
  EXPECT_EQ(errors[0].bad_value, "Copy_Task");

  auto renamed = copy_task();
  renamed["metadata"]["name"] = "other";
  EXPECT_EQ(messages(validate_etcd_copy_backups_task_update(renamed, copy_task())),
            Messages{"metadata.name: Invalid value: \"other\": field is immutable"});
}

TEST(EtcdCopyBackupsTaskValidation, UpdateKeepsUnchangedInvalidValues) {
  auto old_task = copy_task();
  old_task["spec"]["sourceStore"]["container"] = "x";
  old_task["spec"]["targetStore"]["endpointOverride"] = "legacy";
  auto new_task = old_task;
  new_task["spec"]["maxBackups"] = 2;
  EXPECT_EQ(messages(validate_etcd_copy_backups_task_update(new_task, old_task)), Messages{});

  new_task["spec"]["sourceStore"]["container"] = "y";
  new_task["spec"]["targetStore"]["endpointOverride"] = "still legacy";
  EXPECT_EQ(messages(validate_etcd_copy_backups_task_update(new_task, old_task)),
            (Messages{"spec.sourceStore.container: Invalid value: \"y\": "
                      "spec.sourceStore.container in body should match "
                      "'^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$'",
                      "spec.targetStore.endpointOverride: Invalid value: \"string\": endpoint "
                      "override must be a valid URL."}));
}

TEST(EtcdCopyBackupsTaskValidation, UpdateStillRequiresFields) {
  auto old_task = copy_task();
  auto new_task = copy_task();
  new_task["spec"]["targetStore"].erase("prefix");
  EXPECT_EQ(messages(validate_etcd_copy_backups_task_update(new_task, old_task)),
            (Messages{"spec.targetStore.prefix: Required value", kRulesNotChecked}));
}

// ---------------------------------------------------------------------------
// EtcdOpsTask

json ops_task() {
  return json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1",
    "kind": "EtcdOpsTask",
    "metadata": {"name": "snap", "namespace": "default"},
    "spec": {"config": {"onDemandSnapshot": {"type": "full"}}, "etcdName": "etcd-main"}
  })");
}

FieldErrors validate_ops_with(const std::string& pointer, const json& value) {
  auto task = ops_task();
  task[json::json_pointer(pointer)] = value;
  return validate_etcd_ops_task(task);
}

TEST(EtcdOpsTaskValidation, AcceptsAValidTask) {
  EXPECT_EQ(messages(validate_etcd_ops_task(ops_task())), Messages{});
  auto full = ops_task();
  full["spec"]["config"]["onDemandSnapshot"] = {{"type", "delta"},
                                                {"isFinal", false},
                                                {"timeoutSecondsDelta", 10},
                                                {"timeoutSecondsFull", 120}};
  full["spec"]["ttlSecondsAfterFinished"] = 1;
  full["status"] = {{"state", "Pending"}};
  EXPECT_EQ(messages(validate_etcd_ops_task(full)), Messages{});
}

TEST(EtcdOpsTaskValidation, RequiresConfig) {
  auto task = ops_task();
  task["spec"].erase("config");
  EXPECT_EQ(messages(validate_etcd_ops_task(task)),
            (Messages{"spec.config: Required value", kRulesNotChecked}));
}

// Upstream's CRD has `required: [spec]` at the top level (druid-validate and
// the test API server refuse a task without one).
TEST(EtcdOpsTaskValidation, RequiresSpec) {
  auto task = ops_task();
  task.erase("spec");
  EXPECT_EQ(messages(validate_etcd_ops_task(task)),
            (Messages{"spec: Required value", kRulesNotChecked}));
}

TEST(EtcdOpsTaskValidation, RequiresSnapshotType) {
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot", {{"isFinal", true}})),
            (Messages{"spec.config.onDemandSnapshot.type: Required value", kRulesNotChecked}));
}

TEST(EtcdOpsTaskValidation, SnapshotTypeEnum) {
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot/type", "x")),
            (Messages{"spec.config.onDemandSnapshot.type: Unsupported value: \"x\": supported "
                      "values: \"full\", \"delta\"",
                      kRulesNotChecked}));
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot/type", "Full")).size(), 2u);
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot/type", "delta")), Messages{});
}

TEST(EtcdOpsTaskValidation, ConfigNeedsExactlyOneMember) {
  EXPECT_EQ(messages(validate_ops_with("/spec/config", json::object())),
            Messages{"spec.config: Invalid value: 0: spec.config in body should have at least 1 "
                     "properties"});
  // A member the schema does not know is pruned, so it cannot be a second one.
  EXPECT_EQ(messages(validate_ops_with("/spec/config/futureOperation", {{"a", 1}})), Messages{});
  EXPECT_EQ(messages(validate_ops_with("/spec/config", {{"futureOperation", {{"a", 1}}}})),
            Messages{"spec.config: Invalid value: 0: spec.config in body should have at least 1 "
                     "properties"});
}

TEST(EtcdOpsTaskValidation, TimeoutSecondsDeltaMinimum) {
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot/timeoutSecondsDelta", 9)),
            Messages{"spec.config.onDemandSnapshot.timeoutSecondsDelta: Invalid value: 9: "
                     "spec.config.onDemandSnapshot.timeoutSecondsDelta in body should be greater "
                     "than or equal to 10"});
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot/timeoutSecondsDelta", 10)),
            Messages{});
}

TEST(EtcdOpsTaskValidation, TimeoutSecondsFullMinimum) {
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot/timeoutSecondsFull", 119)),
            Messages{"spec.config.onDemandSnapshot.timeoutSecondsFull: Invalid value: 119: "
                     "spec.config.onDemandSnapshot.timeoutSecondsFull in body should be greater "
                     "than or equal to 120"});
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot/timeoutSecondsFull", 120)),
            Messages{});
}

TEST(EtcdOpsTaskValidation, TtlMinimum) {
  EXPECT_EQ(messages(validate_ops_with("/spec/ttlSecondsAfterFinished", 0)),
            Messages{"spec.ttlSecondsAfterFinished: Invalid value: 0: "
                     "spec.ttlSecondsAfterFinished in body should be greater than or equal to 1"});
  EXPECT_EQ(messages(validate_ops_with("/spec/ttlSecondsAfterFinished", 1)), Messages{});
}

TEST(EtcdOpsTaskValidation, DefaultsAreAppliedBeforeValidation) {
  // The CRD defaults satisfy the minimums, and nulls count as absent.
  auto task = ops_task();
  task["spec"]["ttlSecondsAfterFinished"] = nullptr;
  task["spec"]["config"]["onDemandSnapshot"]["timeoutSecondsFull"] = nullptr;
  EXPECT_EQ(messages(validate_etcd_ops_task(task)), Messages{});
}

TEST(EtcdOpsTaskValidation, IsFinalOnlyForFullSnapshots) {
  const json delta_final = {{"type", "delta"}, {"isFinal", true}};
  EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot", delta_final)),
            Messages{"spec.config.onDemandSnapshot: Invalid value: \"object\": isFinal must be "
                     "false (or omitted) when type is 'delta'"});
  for (const json& ok :
       {json{{"type", "delta"}, {"isFinal", false}}, json{{"type", "delta"}},
        json{{"type", "full"}, {"isFinal", true}}, json{{"type", "delta"}, {"isFinal", nullptr}}}) {
    EXPECT_EQ(messages(validate_ops_with("/spec/config/onDemandSnapshot", ok)), Messages{})
        << ok.dump();
  }
}

TEST(EtcdOpsTaskValidation, RulesAreSkippedAfterTypeErrors) {
  auto task = ops_task();
  task["spec"]["config"]["onDemandSnapshot"] = {{"type", "delta"}, {"isFinal", true}};
  task["spec"]["ttlSecondsAfterFinished"] = "1h";
  EXPECT_EQ(messages(validate_etcd_ops_task(task)),
            (Messages{"spec.ttlSecondsAfterFinished: Invalid value: \"string\": "
                      "spec.ttlSecondsAfterFinished in body must be of type integer: \"string\"",
                      kRulesNotChecked}));
}

FieldErrors validate_ops_status_with(const std::string& pointer, const json& value) {
  auto task = ops_task();
  task[json::json_pointer(pointer)] = value;
  return validate_etcd_ops_task_update(task, ops_task());
}

TEST(EtcdOpsTaskValidation, StatusIsDroppedOnCreate) {
  EXPECT_EQ(messages(validate_ops_with("/status/state", "Done")), Messages{});
}

TEST(EtcdOpsTaskValidation, StatusStateEnum) {
  EXPECT_EQ(messages(validate_ops_status_with("/status/state", "Done")),
            (Messages{"status.state: Unsupported value: \"Done\": supported values: \"Pending\", "
                      "\"InProgress\", \"Succeeded\", \"Failed\", \"Rejected\"",
                      kRulesNotChecked}));
  for (const char* ok : {"Pending", "InProgress", "Succeeded", "Failed", "Rejected"}) {
    EXPECT_EQ(messages(validate_ops_status_with("/status/state", ok)), Messages{}) << ok;
  }
}

TEST(EtcdOpsTaskValidation, StatusLastErrorsAtMostTen) {
  const json error = {
      {"code", "ERR_X"}, {"description", "x"}, {"observedAt", "2024-01-01T00:00:00Z"}};
  EXPECT_EQ(
      messages(validate_ops_status_with("/status/lastErrors", json(std::vector<json>(10, error)))),
      Messages{});
  EXPECT_EQ(
      messages(validate_ops_status_with("/status/lastErrors", json(std::vector<json>(11, error)))),
      (Messages{"status.lastErrors: Too many: 11: must have at most 10 items", kRulesNotChecked}));
}

TEST(EtcdOpsTaskValidation, ChecksTypeMeta) {
  auto task = ops_task();
  task["apiVersion"] = "druid.gardener.cloud/v1beta1";
  EXPECT_EQ(messages(validate_etcd_ops_task(task)),
            Messages{"apiVersion: Invalid value: \"druid.gardener.cloud/v1beta1\": must be "
                     "druid.gardener.cloud/v1alpha1"});
}

TEST(EtcdOpsTaskValidation, ChecksMetadata) {
  auto task = ops_task();
  task["metadata"].erase("name");
  EXPECT_EQ(messages(validate_etcd_ops_task(task)),
            (Messages{"metadata.name: Required value: name or generateName is required",
                      kRulesNotChecked}));
}

TEST(EtcdOpsTaskValidation, ConfigIsImmutable) {
  auto old_task = ops_task();
  auto new_task = ops_task();
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)), Messages{});
  new_task["spec"]["config"]["onDemandSnapshot"]["type"] = "delta";
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)),
            Messages{"spec.config: Invalid value: \"object\": config is immutable"});
}

TEST(EtcdOpsTaskValidation, ConfigComparisonSeesDefaultsAndIgnoresUnknownFields) {
  auto old_task = ops_task();
  auto new_task = ops_task();
  new_task["spec"]["config"]["onDemandSnapshot"]["timeoutSecondsDelta"] = 60;
  new_task["spec"]["config"]["onDemandSnapshot"]["futureKnob"] = true;
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)), Messages{});
  new_task["spec"]["config"]["onDemandSnapshot"]["timeoutSecondsDelta"] = 61;
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)),
            Messages{"spec.config: Invalid value: \"object\": config is immutable"});
}

TEST(EtcdOpsTaskValidation, TtlIsImmutable) {
  auto old_task = ops_task();
  auto new_task = ops_task();
  new_task["spec"]["ttlSecondsAfterFinished"] = 3600;  // the default the old one got
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)), Messages{});
  new_task["spec"]["ttlSecondsAfterFinished"] = 100;
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)),
            Messages{"spec.ttlSecondsAfterFinished: Invalid value: \"integer\": "
                     "ttlSecondsAfterFinished is immutable"});
}

TEST(EtcdOpsTaskValidation, EtcdNameIsImmutable) {
  auto old_task = ops_task();
  auto new_task = ops_task();
  new_task["spec"]["etcdName"] = "etcd-events";
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)),
            Messages{"spec.etcdName: Invalid value: \"string\": etcdName is immutable"});
}

TEST(EtcdOpsTaskValidation, TransitionRulesNeedTheOldValue) {
  // `self == oldSelf` is not evaluated when the old object lacks the field.
  auto old_task = ops_task();
  old_task["spec"].erase("etcdName");
  auto new_task = ops_task();
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)), Messages{});
}

TEST(EtcdOpsTaskValidation, ImmutabilityIsNotCheckedOnCreate) {
  EXPECT_EQ(messages(validate_etcd_ops_task(ops_task())), Messages{});
}

TEST(EtcdOpsTaskValidation, UpdateKeepsUnchangedInvalidValues) {
  auto old_task = ops_task();
  old_task["spec"]["config"]["onDemandSnapshot"] = {
      {"type", "delta"}, {"isFinal", true}, {"timeoutSecondsDelta", 5}};
  old_task["spec"]["ttlSecondsAfterFinished"] = 0;
  auto new_task = old_task;
  new_task["status"] = {{"state", "Pending"}};
  EXPECT_EQ(messages(validate_etcd_ops_task_update(new_task, old_task)), Messages{});
}

TEST(EtcdOpsTaskValidation, RejectsNonObjects) {
  EXPECT_EQ(messages(validate_etcd_ops_task(json::array())),
            (Messages{"metadata.name: Required value: name or generateName is required",
                      "<nil>: Invalid value: \"array\": <nil> in body must be of type object: "
                      "\"array\"",
                      kRulesNotChecked}));
  auto task = ops_task();
  task["spec"] = 3;
  EXPECT_EQ(messages(validate_etcd_ops_task(task)),
            (Messages{"spec: Invalid value: \"integer\": spec in body must be of type object: "
                      "\"integer\"",
                      kRulesNotChecked}));
}

}  // namespace
}  // namespace druid::api::validation
