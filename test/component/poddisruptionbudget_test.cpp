#include "component/poddisruptionbudget.hpp"

#include <gtest/gtest.h>

#include "api/annotations.hpp"
#include "api/names.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "support/component_env.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::component {
namespace {

using nlohmann::json;
using test::base_etcd_json;
using test::kTestNamespace;

const kube::ResourceType& kType = kube::resources::kPodDisruptionBudgets;

json with_allow_unhealthy_pod_eviction(json etcd) {
  etcd["metadata"]["annotations"][api::kAllowUnhealthyPodEvictionAnnotation] = "true";
  return etcd;
}

TEST(PodDisruptionBudgetBuilder, SingleMemberAllowsEveryEviction) {
  EXPECT_TRUE(test::matches_golden(build_pod_disruption_budget(test::decode(base_etcd_json(1))),
                                   "poddisruptionbudget/single-member.json"));
}

TEST(PodDisruptionBudgetBuilder, ThreeMembersKeepAQuorum) {
  EXPECT_TRUE(test::matches_golden(build_pod_disruption_budget(test::decode(base_etcd_json(3))),
                                   "poddisruptionbudget/three-members.json"));
}

TEST(PodDisruptionBudgetBuilder, AnnotationAllowsEvictingUnhealthyPods) {
  const auto etcd = test::decode(with_allow_unhealthy_pod_eviction(base_etcd_json(3)));
  EXPECT_TRUE(test::matches_golden(build_pod_disruption_budget(etcd),
                                   "poddisruptionbudget/allow-unhealthy-pod-eviction.json"));
}

TEST(PodDisruptionBudgetBuilder, MinAvailableIsAQuorumAboveOneMember) {
  for (const auto& [replicas, expected] :
       std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {2, 2}, {3, 2}, {4, 3}, {5, 3}, {7, 4}}) {
    EXPECT_EQ(pod_disruption_budget_min_available(test::decode(base_etcd_json(replicas))), expected)
        << replicas << " replicas";
  }
}

class PodDisruptionBudgetComponentTest : public ::testing::Test {
 protected:
  json get_pdb() {
    auto pdb = env_.client().get(kType, kTestNamespace, test::kTestEtcdName);
    if (!pdb) ADD_FAILURE() << pdb.error().what();
    return pdb ? *pdb : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_pod_disruption_budget_component();
};

TEST_F(PodDisruptionBudgetComponentTest, KindIsPodDisruptionBudget) {
  EXPECT_EQ(component_->kind(), "PodDisruptionBudget");
}

TEST_F(PodDisruptionBudgetComponentTest, SyncCreatesThePdbOwnedByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const json pdb = get_pdb();
  EXPECT_TRUE(is_satisfied_by(build_pod_disruption_budget(etcd), pdb)) << pdb.dump(2);
  EXPECT_TRUE(is_controlled_by(pdb, etcd.metadata.uid));
  EXPECT_EQ(pdb["spec"]["minAvailable"], 2);
  EXPECT_FALSE(pdb["spec"].contains("unhealthyPodEvictionPolicy"));
}

TEST_F(PodDisruptionBudgetComponentTest, SecondSyncWritesNothing) {
  const auto etcd = env_.create_etcd(with_allow_unhealthy_pod_eviction(base_etcd_json(3)));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 0);
}

TEST_F(PodDisruptionBudgetComponentTest, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(env_.client().patch(
      kType, kTestNamespace, test::kTestEtcdName, kube::PatchType::kMerge,
      {{"metadata", {{"labels", {{"foreign", "label"}}}}},
       {"spec", {{"minAvailable", 1}, {"unhealthyPodEvictionPolicy", "AlwaysAllow"}}}}));

  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  EXPECT_EQ(env_.server().controls().request_count("patch", "poddisruptionbudgets"), 1);
  const json pdb = get_pdb();
  EXPECT_FALSE(pdb["metadata"]["labels"].contains("foreign"));
  EXPECT_EQ(pdb["spec"]["minAvailable"], 2);
  EXPECT_FALSE(pdb["spec"].contains("unhealthyPodEvictionPolicy"));
}

TEST_F(PodDisruptionBudgetComponentTest, FollowsTheAnnotationAndScaling) {
  const auto etcd = env_.create_etcd(with_allow_unhealthy_pod_eviction(base_etcd_json(3)));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(get_pdb()["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");

  // The annotation is removed and the cluster scaled to one member.
  api::Etcd changed = etcd;
  changed.metadata.annotations.erase(api::kAllowUnhealthyPodEvictionAnnotation);
  changed.spec.replicas = 1;
  auto changed_ctx = env_.context(changed);
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(changed_ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  const json pdb = get_pdb();
  EXPECT_FALSE(pdb["spec"].contains("unhealthyPodEvictionPolicy")) << pdb.dump(2);
  EXPECT_EQ(pdb["spec"]["minAvailable"], 0);
}

TEST_F(PodDisruptionBudgetComponentTest, FailedWriteIsErrSyncPodDisruptionBudget) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("create", "poddisruptionbudgets", 500);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncPodDisruptionBudget);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 500);
}

TEST_F(PodDisruptionBudgetComponentTest, ExistingNamesListsOnlyAPdbControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  json foreign = build_pod_disruption_budget(etcd);
  foreign["metadata"]["ownerReferences"][0]["uid"] = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(env_.client().create(kType, kTestNamespace, without_nulls(foreign)));
  auto still_none = component_->existing_names(ctx);
  ASSERT_TRUE(still_none);
  EXPECT_TRUE(still_none->empty());

  ASSERT_TRUE(component_->sync(ctx));
  auto names = component_->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{test::kTestEtcdName});
}

TEST_F(PodDisruptionBudgetComponentTest, FailedGetIsErrGetPodDisruptionBudget) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("get", "poddisruptionbudgets", 500);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetPodDisruptionBudget);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(PodDisruptionBudgetComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.client().get(kType, kTestNamespace, test::kTestEtcdName);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_F(PodDisruptionBudgetComponentTest, FailedDeleteIsErrDeletePodDisruptionBudget) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().fail_next("delete", "poddisruptionbudgets", 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kDeletePodDisruptionBudget);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

}  // namespace
}  // namespace druid::component
