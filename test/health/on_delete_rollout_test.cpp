// Under updateStrategy OnDelete, Kubernetes below 1.37 never promotes
// status.currentRevision (docs/quorum-aware-updates.md so AllMembersUpdated and
// the StatefulSet readiness use the pod-level check: every pod the StatefulSet
// owns carries controller-revision-hash == status.updateRevision.

#include <gtest/gtest.h>

#include "health/condition_all_members_updated.hpp"
#include "health/etcd_status.hpp"
#include "health/health_support.hpp"
#include "health/statefulset_status.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders
using nlohmann::json;

constexpr const char* kStsUid = "sts-uid-1";
constexpr const char* kOld = "etcd-main-abc";
constexpr const char* kNew = "etcd-main-def";

// An OnDelete StatefulSet after a template change below Kubernetes 1.37:
// currentRevision stays old, currentReplicas counts pods still at it.
json on_delete_sts(int replicas, int updated) {
  json sts = statefulset_json(replicas);
  sts["metadata"]["uid"] = kStsUid;
  sts["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  sts["status"]["currentRevision"] = kOld;
  sts["status"]["updateRevision"] = kNew;
  sts["status"]["currentReplicas"] = replicas - updated;
  sts["status"]["updatedReplicas"] = updated;
  return sts;
}

ObjectPtr owned_pod(int ordinal, const std::string& revision,
                    const std::string& owner_uid = kStsUid,
                    const std::string& owner_kind = "StatefulSet") {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", "etcd-main-" + std::to_string(ordinal)},
                {"namespace", druid::test::kTestNamespace},
                {"labels", {{"controller-revision-hash", revision}}},
                {"ownerReferences",
                 {{{"apiVersion", "apps/v1"},
                   {"kind", owner_kind},
                   {"name", "etcd-main"},
                   {"uid", owner_uid},
                   {"controller", true}}}}}}};
  return ptr(pod);
}

std::vector<ObjectPtr> pods_at(const std::vector<std::string>& revisions) {
  std::vector<ObjectPtr> pods;
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    pods.push_back(owned_pod(static_cast<int>(i), revisions[i]));
  }
  return pods;
}

api::Etcd reconciled(int replicas) {
  api::Etcd e = etcd(replicas);
  e.status = api::EtcdStatus{};
  e.status->observed_generation = e.metadata.generation;
  return e;
}

const CheckResult kUpdated{"AllMembersUpdated", "True", "AllMembersUpdated",
                           "All members reflect latest desired spec"};
const CheckResult kNotUpdated{"AllMembersUpdated", "False", "NotAllMembersUpdated",
                              "At least one member is not yet updated"};

TEST(OnDeleteRollout, AllPodsAtUpdateRevisionIsUpdatedAndReadyDespiteOldCurrentRevision) {
  const json sts = on_delete_sts(3, 3);
  const auto pods = pods_at({kNew, kNew, kNew});
  EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::nullopt, &pods), kUpdated);
  EXPECT_TRUE(is_statefulset_ready(reconciled(3), read_statefulset(sts, &pods)));
  // The revision comparison alone (RollingUpdate rules) would say no.
  json rolling = sts;
  rolling["spec"]["updateStrategy"] = {{"type", "RollingUpdate"}};
  EXPECT_EQ(check_all_members_updated(etcd(3), &rolling, std::nullopt, &pods), kNotUpdated);
  EXPECT_FALSE(is_statefulset_ready(reconciled(3), read_statefulset(rolling, &pods)));
}

TEST(OnDeleteRollout, OneOutdatedPodKeepsItNotUpdatedAndNotReady) {
  const json sts = on_delete_sts(3, 3);  // counts aside, the labels decide
  const auto pods = pods_at({kNew, kOld, kNew});
  EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::nullopt, &pods), kNotUpdated);
  EXPECT_FALSE(is_statefulset_ready(reconciled(3), read_statefulset(sts, &pods)));
}

TEST(OnDeleteRollout, PodWithoutTheLabelIsOutdated) {
  const json sts = on_delete_sts(1, 1);
  json pod = *owned_pod(0, kNew);
  pod["metadata"]["labels"] = json::object();
  const std::vector<ObjectPtr> pods = {ptr(pod)};
  EXPECT_FALSE(all_owned_pods_at_update_revision(sts, pods));
}

TEST(OnDeleteRollout, OnlyPodsTheStatefulSetOwnsCount) {
  const json sts = on_delete_sts(3, 3);
  auto pods = pods_at({kNew, kNew, kNew});
  // A compaction job pod matches the selector but is owned by a Job.
  pods.push_back(owned_pod(7, kOld, "job-uid", "Job"));
  // A pod of an earlier StatefulSet of the same name (another UID).
  pods.push_back(owned_pod(8, kOld, "old-sts-uid"));
  pods.push_back(nullptr);
  EXPECT_TRUE(all_owned_pods_at_update_revision(sts, pods));
  EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::nullopt, &pods), kUpdated);
}

TEST(OnDeleteRollout, UnknownPodsOrNoUpdateRevisionAreNotUpdated) {
  const json sts = on_delete_sts(3, 3);
  EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::nullopt, nullptr), kNotUpdated);
  EXPECT_FALSE(is_statefulset_ready(reconciled(3), read_statefulset(sts)));
  json no_revision = sts;
  no_revision["status"].erase("updateRevision");
  EXPECT_FALSE(all_owned_pods_at_update_revision(no_revision, pods_at({kNew, kNew, kNew})));
}

TEST(OnDeleteRollout, OtherRulesStillApply) {
  const auto pods = pods_at({kNew, kNew, kNew});
  json sts = on_delete_sts(3, 2);  // a pod missing: updatedReplicas short
  EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::nullopt, &pods), kNotUpdated);
  sts = on_delete_sts(3, 3);
  sts["status"]["readyReplicas"] = 2;
  EXPECT_FALSE(is_statefulset_ready(reconciled(3), read_statefulset(sts, &pods)));
  sts = on_delete_sts(3, 3);
  sts["status"]["observedGeneration"] = 1;
  EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::nullopt, &pods), kNotUpdated);
}

TEST(OnDeleteRollout, ComputeStatusUsesTheCachedPods) {
  StatusInputs inputs;
  inputs.now = t0();
  inputs.statefulset = ptr(on_delete_sts(3, 3));
  inputs.pods = pods_at({kNew, kNew, kNew});
  const api::Etcd e = reconciled(3);
  api::EtcdStatus status = compute_status(e, inputs);
  ASSERT_NE(status.condition("AllMembersUpdated"), nullptr);
  EXPECT_EQ(status.condition("AllMembersUpdated")->status, "True");
  EXPECT_EQ(status.ready, std::optional<bool>(true));

  inputs.pods = pods_at({kNew, kOld, kNew});
  status = compute_status(e, inputs);
  EXPECT_EQ(status.condition("AllMembersUpdated")->status, "False");
  EXPECT_EQ(status.ready, std::optional<bool>(false));

  inputs.pods = pods_at({kNew, kNew, kNew});
  inputs.pods_error = "cache not synced";
  status = compute_status(e, inputs);
  EXPECT_EQ(status.condition("AllMembersUpdated")->status, "False");
}

}  // namespace
}  // namespace druid::health
