#include "component/poddisruptionbudget.hpp"

#include <gtest/gtest.h>

#include "api/annotations.hpp"
#include "api/names.hpp"
#include "component/registry.hpp"
#include "support/component_env.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::component {
namespace {

// Behaviour shared by all single-object components (sync, errors, delete) is
// checked once, in single_object_component_contract_test.cpp.

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

TEST_F(PodDisruptionBudgetComponentTest, FollowsTheAnnotationAndScaling) {
  const auto etcd = env_.create_etcd(with_allow_unhealthy_pod_eviction(base_etcd_json(3)));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(get_pdb()["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");
  // The policy is compared as set, not re-sent on every sync.
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 0);

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

}  // namespace
}  // namespace druid::component
