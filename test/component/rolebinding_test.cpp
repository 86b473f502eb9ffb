#include "component/rolebinding.hpp"

#include <gtest/gtest.h>

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

const kube::ResourceType& kType = kube::resources::kRoleBindings;
constexpr const char* kBindingName = "druid.gardener.cloud:etcd:etcd-main";

TEST(RoleBindingBuilder, BindsTheRoleToTheServiceAccount) {
  EXPECT_TRUE(test::matches_golden(build_role_binding(test::decode(base_etcd_json())),
                                   "rolebinding/default.json"));
}

class RoleBindingComponentTest : public ::testing::Test {
 protected:
  json get_binding() {
    auto binding = env_.client().get(kType, kTestNamespace, kBindingName);
    if (!binding) ADD_FAILURE() << binding.error().what();
    return binding ? *binding : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_role_binding_component();
};

TEST_F(RoleBindingComponentTest, KindIsRoleBinding) {
  EXPECT_EQ(component_->kind(), "RoleBinding");
}

TEST_F(RoleBindingComponentTest, SyncCreatesTheBindingOwnedByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const json binding = get_binding();
  EXPECT_TRUE(is_satisfied_by(build_role_binding(etcd), binding)) << binding.dump(2);
  EXPECT_TRUE(is_controlled_by(binding, etcd.metadata.uid));
  EXPECT_EQ(binding["roleRef"]["name"], kBindingName);
  EXPECT_EQ(binding["subjects"][0]["name"], "etcd-main");
}

TEST_F(RoleBindingComponentTest, SecondSyncWritesNothing) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 0);
}

TEST_F(RoleBindingComponentTest, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  // A foreign label and a second subject.
  json subjects = build_role_binding(etcd)["subjects"];
  subjects.push_back({{"kind", "ServiceAccount"}, {"name", "intruder"}, {"namespace", "other"}});
  ASSERT_TRUE(env_.client().patch(
      kType, kTestNamespace, kBindingName, kube::PatchType::kMerge,
      {{"metadata", {{"labels", {{"foreign", "label"}}}}}, {"subjects", subjects}}));

  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  EXPECT_EQ(env_.server().controls().request_count("patch", "rolebindings"), 1);
  const json binding = get_binding();
  EXPECT_FALSE(binding["metadata"]["labels"].contains("foreign"));
  EXPECT_EQ(binding["subjects"], build_role_binding(etcd)["subjects"]);
}

TEST_F(RoleBindingComponentTest, FailedWriteIsErrSyncRoleBinding) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("create", "rolebindings", 500);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncRoleBinding);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 500);
}

TEST_F(RoleBindingComponentTest, ExistingNamesListsOnlyABindingControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  json foreign = build_role_binding(etcd);
  foreign["metadata"]["ownerReferences"][0]["uid"] = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(env_.client().create(kType, kTestNamespace, foreign));
  auto still_none = component_->existing_names(ctx);
  ASSERT_TRUE(still_none);
  EXPECT_TRUE(still_none->empty());

  ASSERT_TRUE(component_->sync(ctx));
  auto names = component_->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{kBindingName});
}

TEST_F(RoleBindingComponentTest, FailedGetIsErrGetRoleBinding) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("get", "rolebindings", 500);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetRoleBinding);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(RoleBindingComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.client().get(kType, kTestNamespace, kBindingName);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_F(RoleBindingComponentTest, FailedDeleteIsErrDeleteRoleBinding) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().fail_next("delete", "rolebindings", 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kDeleteRoleBinding);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

}  // namespace
}  // namespace druid::component
