#include "component/role.hpp"

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

const kube::ResourceType& kType = kube::resources::kRoles;
constexpr const char* kRoleName = "druid.gardener.cloud:etcd:etcd-main";

TEST(RoleBuilder, GrantsLeasesStatefulSetsAndPods) {
  EXPECT_TRUE(
      test::matches_golden(build_role(test::decode(base_etcd_json())), "role/default.json"));
}

class RoleComponentTest : public ::testing::Test {
 protected:
  json get_role() {
    auto role = env_.client().get(kType, kTestNamespace, kRoleName);
    if (!role) ADD_FAILURE() << role.error().what();
    return role ? *role : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_role_component();
};

TEST_F(RoleComponentTest, KindIsRole) {
  EXPECT_EQ(component_->kind(), "Role");
}

TEST_F(RoleComponentTest, SyncCreatesTheRoleOwnedByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const json role = get_role();
  EXPECT_TRUE(is_satisfied_by(build_role(etcd), role)) << role.dump(2);
  EXPECT_TRUE(is_controlled_by(role, etcd.metadata.uid));
  EXPECT_EQ(role["rules"].size(), 3u);
}

TEST_F(RoleComponentTest, SecondSyncWritesNothing) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 0);
}

TEST_F(RoleComponentTest, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  // Someone widens the role and labels it.
  json rules = build_role(etcd)["rules"];
  rules[2]["verbs"].push_back("delete");
  ASSERT_TRUE(
      env_.client().patch(kType, kTestNamespace, kRoleName, kube::PatchType::kMerge,
                          {{"metadata", {{"labels", {{"foreign", "label"}}}}}, {"rules", rules}}));

  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  EXPECT_EQ(env_.server().controls().request_count("patch", "roles"), 1);
  const json role = get_role();
  EXPECT_FALSE(role["metadata"]["labels"].contains("foreign"));
  EXPECT_EQ(role["rules"], build_role(etcd)["rules"]);
}

TEST_F(RoleComponentTest, FailedWriteIsErrSyncRole) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("create", "roles", 500);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncRole);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 500);
  EXPECT_NE(result.error().message.find(std::string(kTestNamespace) + "/" + kRoleName),
            std::string::npos);
}

TEST_F(RoleComponentTest, ExistingNamesListsOnlyARoleControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  json foreign = build_role(etcd);
  foreign["metadata"]["ownerReferences"][0]["uid"] = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(env_.client().create(kType, kTestNamespace, foreign));
  auto still_none = component_->existing_names(ctx);
  ASSERT_TRUE(still_none);
  EXPECT_TRUE(still_none->empty());

  ASSERT_TRUE(component_->sync(ctx));
  auto names = component_->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{kRoleName});
}

TEST_F(RoleComponentTest, FailedGetIsErrGetRole) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("get", "roles", 503);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetRole);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(RoleComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.client().get(kType, kTestNamespace, kRoleName);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_F(RoleComponentTest, FailedDeleteIsErrDeleteRole) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().fail_next("delete", "roles", 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kDeleteRole);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

}  // namespace
}  // namespace druid::component
