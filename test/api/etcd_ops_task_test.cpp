#include "api/etcd_ops_task.hpp"

#include <gtest/gtest.h>

namespace druid::api {
namespace {

nlohmann::json full_task() {
  return nlohmann::json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1",
    "kind": "EtcdOpsTask",
    "metadata": {"name": "snap", "namespace": "default"},
    "spec": {
      "config": {"onDemandSnapshot": {"type": "full", "isFinal": true,
                                      "timeoutSecondsDelta": 30, "timeoutSecondsFull": 600}},
      "ttlSecondsAfterFinished": 120,
      "etcdName": "etcd-main"
    },
    "status": {
      "state": "InProgress",
      "lastTransitionTime": "2024-05-01T10:00:00Z",
      "startedAt": "2024-05-01T10:00:01Z",
      "lastErrors": [{"code": "ERR_ETCD_NOT_READY", "description": "Etcd is not ready",
                      "observedAt": "2024-05-01T10:00:00Z"}],
      "lastOperation": {"type": "Execution", "state": "InProgress",
                        "description": "Task Execution phase is in Progress",
                        "runID": "1234", "lastUpdateTime": "2024-05-01T10:00:02Z"}
    }
  })");
}

// As for Etcd (test/fuzz/regressions/etcd_codec): an empty kind is the type's own.
TEST(EtcdOpsTask, EmptyTypeMetaIsTheTypesOwn) {
  auto task = decode_etcd_ops_task(nlohmann::json{{"apiVersion", ""}, {"kind", ""}});
  ASSERT_TRUE(task.has_value()) << to_string(task.error());
  EXPECT_EQ(task->api_version, "druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(task->kind, "EtcdOpsTask");
}

TEST(EtcdOpsTask, DecodesEveryField) {
  auto task = decode_etcd_ops_task(full_task());
  ASSERT_TRUE(task) << to_string(task.error());
  EXPECT_EQ(task->kind, kEtcdOpsTaskKind);
  ASSERT_TRUE(task->spec.config.on_demand_snapshot);
  const auto& snapshot = *task->spec.config.on_demand_snapshot;
  EXPECT_EQ(snapshot.type, kSnapshotTypeFull);
  EXPECT_EQ(snapshot.is_final, true);
  EXPECT_EQ(snapshot.timeout_seconds_delta, 30);
  EXPECT_EQ(snapshot.timeout_seconds_full, 600);
  EXPECT_EQ(task->spec.ttl_seconds_after_finished, 120);
  EXPECT_EQ(task->spec.etcd_name, "etcd-main");
  ASSERT_TRUE(task->status);
  EXPECT_EQ(task->status->state, ops_task_state::kInProgress);
  EXPECT_EQ(task->status->started_at, "2024-05-01T10:00:01Z");
  ASSERT_EQ(task->status->last_errors.size(), 1u);
  EXPECT_EQ(task->status->last_errors[0].code, "ERR_ETCD_NOT_READY");
  EXPECT_EQ(task->status->last_operation->type, last_operation::kTypeExecution);
  EXPECT_EQ(task->status->last_operation->run_id, "1234");
}

TEST(EtcdOpsTask, RoundTripsKeepingUnknownFields) {
  auto j = full_task();
  j["spec"]["config"]["onDemandSnapshot"]["futureKnob"] = "x";
  j["spec"]["config"]["futureOperation"] = nlohmann::json::object();
  j["status"]["lastOperation"]["futureField"] = 1;
  j["futureTopLevel"] = nlohmann::json::array({1, 2});
  auto task = decode_etcd_ops_task(j);
  ASSERT_TRUE(task) << to_string(task.error());
  EXPECT_EQ(task->spec.config.unknown.fields.at("futureOperation"), nlohmann::json::object());
  EXPECT_EQ(encode_etcd_ops_task(*task), j);
}

TEST(EtcdOpsTask, DecodeErrorsNameTheField) {
  auto j = full_task();
  j["spec"]["config"]["onDemandSnapshot"]["isFinal"] = "yes";
  auto task = decode_etcd_ops_task(j);
  ASSERT_FALSE(task);
  ASSERT_EQ(task.error().size(), 1u);
  EXPECT_EQ(task.error()[0].message(),
            "spec.config.onDemandSnapshot.isFinal: Invalid value: \"string\": "
            "spec.config.onDemandSnapshot.isFinal in body must be of type boolean: \"string\"");
}

TEST(EtcdOpsTaskCrdDefaults, FillsAbsentFields) {
  auto j =
      nlohmann::json::parse(R"({"spec": {"config": {"onDemandSnapshot": {"type": "delta"}}}})");
  apply_etcd_ops_task_crd_defaults(j);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"spec": {"ttlSecondsAfterFinished": 3600, "config":
      {"onDemandSnapshot": {"type": "delta", "timeoutSecondsDelta": 60,
                            "timeoutSecondsFull": 900}}}})"));
}

TEST(EtcdOpsTaskCrdDefaults, KeepsValuesThatAreSet) {
  auto j = full_task();
  const auto before = j;
  apply_etcd_ops_task_crd_defaults(j);
  EXPECT_EQ(j, before);
}

TEST(EtcdOpsTaskCrdDefaults, ReplacesNulls) {
  auto j = nlohmann::json::parse(
      R"({"spec": {"ttlSecondsAfterFinished": null,
                   "config": {"onDemandSnapshot": {"type": "full", "timeoutSecondsFull": null}}}})");
  apply_etcd_ops_task_crd_defaults(j);
  EXPECT_EQ(j["spec"]["ttlSecondsAfterFinished"], 3600);
  EXPECT_EQ(j["spec"]["config"]["onDemandSnapshot"]["timeoutSecondsFull"], 900);
}

TEST(EtcdOpsTaskCrdDefaults, CreatesNoParents) {
  auto no_spec = nlohmann::json::parse(R"({"metadata": {"name": "x"}})");
  const auto no_spec_before = no_spec;
  apply_etcd_ops_task_crd_defaults(no_spec);
  EXPECT_EQ(no_spec, no_spec_before);

  auto no_snapshot = nlohmann::json::parse(R"({"spec": {"config": {}}})");
  apply_etcd_ops_task_crd_defaults(no_snapshot);
  EXPECT_EQ(no_snapshot,
            nlohmann::json::parse(R"({"spec": {"config": {}, "ttlSecondsAfterFinished": 3600}})"));

  auto spec_not_object = nlohmann::json::parse(R"({"spec": "oops"})");
  const auto spec_not_object_before = spec_not_object;
  apply_etcd_ops_task_crd_defaults(spec_not_object);
  EXPECT_EQ(spec_not_object, spec_not_object_before);

  auto not_object = nlohmann::json::array();
  apply_etcd_ops_task_crd_defaults(not_object);
  EXPECT_EQ(not_object, nlohmann::json::array());
}

TEST(EtcdOpsTask, EffectiveValuesFallBackToCrdDefaults) {
  EtcdOpsTask task;
  OnDemandSnapshotConfig snapshot;
  EXPECT_EQ(ttl_seconds_after_finished(task), 3600);
  EXPECT_EQ(timeout_seconds_delta(snapshot), 60);
  EXPECT_EQ(timeout_seconds_full(snapshot), 900);
  task.spec.ttl_seconds_after_finished = 5;
  snapshot.timeout_seconds_delta = 11;
  snapshot.timeout_seconds_full = 121;
  EXPECT_EQ(ttl_seconds_after_finished(task), 5);
  EXPECT_EQ(timeout_seconds_delta(snapshot), 11);
  EXPECT_EQ(timeout_seconds_full(snapshot), 121);
}

TEST(EtcdOpsTask, CompletedStates) {
  EtcdOpsTask task;
  EXPECT_FALSE(is_completed(task));
  task.status.emplace();
  EXPECT_FALSE(is_completed(task));
  for (const char* state : {ops_task_state::kPending, ops_task_state::kInProgress}) {
    task.status->state = state;
    EXPECT_FALSE(is_completed(task)) << state;
  }
  for (const char* state :
       {ops_task_state::kSucceeded, ops_task_state::kFailed, ops_task_state::kRejected}) {
    task.status->state = state;
    EXPECT_TRUE(is_completed(task)) << state;
  }
}

}  // namespace
}  // namespace druid::api
