#include "component/poddisruptionbudget.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/annotations.hpp"
#include "api/label_selector.hpp"
#include "api/labels.hpp"
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

const util::ResourceType& kType = kube::resources::kPodDisruptionBudgets;

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
    auto pdb = env_.cluster().get(kType, kTestNamespace, test::kTestEtcdName);
    if (!pdb) ADD_FAILURE() << pdb.error().what();
    return pdb ? *pdb : json();
  }

  void create_pod(const std::string& name, const util::Labels& labels) {
    auto created = env_.cluster().create(
        kube::resources::kPods, kTestNamespace,
        {{"apiVersion", "v1"},
         {"kind", "Pod"},
         {"metadata", {{"name", name}, {"labels", labels}}},
         {"spec", {{"containers", json::array({{{"name", "main"}, {"image", "x"}}})}}}});
    ASSERT_TRUE(created) << created.error().what();
  }

  // The pods the PDB in the server counts, found as the disruption controller
  // finds them: a list with its spec.selector.
  std::vector<std::string> pods_selected_by_the_pdb() {
    api::LabelSelector selector;
    const auto errors = api::decode_into(get_pdb()["spec"]["selector"], selector);
    EXPECT_TRUE(errors.empty());
    auto parsed = api::to_selector(selector);
    if (!parsed) {
      ADD_FAILURE() << parsed.error().message();
      return {};
    }
    kube::ListOptions options;
    options.label_selector = parsed->to_string();
    auto pods = env_.cluster().list(kube::resources::kPods, kTestNamespace, options);
    if (!pods) {
      ADD_FAILURE() << pods.error().what();
      return {};
    }
    std::vector<std::string> names;
    for (const auto& pod : (*pods)["items"]) names.push_back(pod["metadata"]["name"]);
    std::sort(names.begin(), names.end());
    return names;
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_pod_disruption_budget_component();
};

TEST_F(PodDisruptionBudgetComponentTest, CountsTheMembersButNoJobPods) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  auto ctx = env_.context(etcd);
  ctx.configmap_checksum = "0";
  ASSERT_TRUE(make_statefulset_component()->sync(ctx));
  ASSERT_TRUE(component_->sync(ctx));
  // Two members with the pod template druid writes, one left by an older druid
  // version with the default labels only (no component label).
  auto sts = env_.cluster().get(kube::resources::kStatefulSets, kTestNamespace,
                                api::statefulset_name(etcd));
  ASSERT_TRUE(sts) << sts.error().what();
  const auto template_labels = (*sts)["spec"]["template"]["metadata"]["labels"].get<util::Labels>();
  create_pod(api::pod_name(etcd, 0), template_labels);
  create_pod(api::pod_name(etcd, 1), template_labels);
  create_pod(api::pod_name(etcd, 2), api::default_labels(etcd));
  // The compaction Job's pod runs next to them, and a copy-backups task named
  // like the Etcd has its worker pod there too: both carry the default labels.
  util::Labels compactor = api::compaction_job_labels(etcd);
  compactor["batch.kubernetes.io/job-name"] = api::compaction_job_name(etcd);
  create_pod(api::compaction_job_name(etcd) + "-x7k2p", compactor);
  util::Labels worker = api::copy_backups_job_labels(etcd.metadata.name);
  worker["batch.kubernetes.io/job-name"] = api::copy_backups_job_name(etcd.metadata.name);
  create_pod(api::copy_backups_job_name(etcd.metadata.name) + "-q9m4v", worker);

  EXPECT_EQ(pods_selected_by_the_pdb(),
            (std::vector<std::string>{"etcd-main-0", "etcd-main-1", "etcd-main-2"}));
}

// A PDB written by upstream (or an earlier version of ours) selects on
// matchLabels alone; the selector is mutable in policy/v1, so one patch adds
// the expression and the next sync writes nothing.
TEST_F(PodDisruptionBudgetComponentTest, AnOlderSelectorIsPatchedOnce) {
  const auto etcd = env_.create_etcd(base_etcd_json(3));
  json older = build_pod_disruption_budget(etcd);
  older["spec"]["selector"].erase("matchExpressions");
  older["spec"].erase("unhealthyPodEvictionPolicy");
  ASSERT_TRUE(env_.cluster().create(kType, kTestNamespace, older));
  auto ctx = env_.context(etcd);
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 1);
  EXPECT_EQ(get_pdb()["spec"]["selector"], build_pod_disruption_budget(etcd)["spec"]["selector"]);
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);
}

TEST_F(PodDisruptionBudgetComponentTest, FollowsTheAnnotationAndScaling) {
  const auto etcd = env_.create_etcd(with_allow_unhealthy_pod_eviction(base_etcd_json(3)));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(get_pdb()["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");
  // The policy is compared as set, not re-sent on every sync.
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);

  // The annotation is removed and the cluster scaled to one member.
  api::Etcd changed = etcd;
  changed.metadata.annotations.erase(api::kAllowUnhealthyPodEvictionAnnotation);
  changed.spec.replicas = 1;
  auto changed_ctx = env_.context(changed);
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(changed_ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 1);
  const json pdb = get_pdb();
  EXPECT_FALSE(pdb["spec"].contains("unhealthyPodEvictionPolicy")) << pdb.dump(2);
  EXPECT_EQ(pdb["spec"]["minAvailable"], 0);
}

}  // namespace
}  // namespace druid::component
