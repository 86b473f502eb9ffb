#include "component/serviceaccount.hpp"

#include <gtest/gtest.h>

#include "api/codec.hpp"
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

const kube::ResourceType& kType = kube::resources::kServiceAccounts;

TEST(ServiceAccountBuilder, MountsTheTokenByDefault) {
  const auto etcd = test::decode(base_etcd_json());
  EXPECT_TRUE(test::matches_golden(build_service_account(etcd, OperatorSettings{}),
                                   "serviceaccount/default.json"));
}

TEST(ServiceAccountBuilder, AutomountDisabledByTheOperator) {
  const auto etcd = test::decode(base_etcd_json());
  OperatorSettings settings;
  settings.disable_etcd_service_account_automount = true;
  EXPECT_TRUE(test::matches_golden(build_service_account(etcd, settings),
                                   "serviceaccount/automount-disabled.json"));
}

class ServiceAccountComponentTest : public ::testing::Test {
 protected:
  json get_service_account(const api::Etcd& etcd) {
    auto sa = env_.client().get(kType, kTestNamespace, api::service_account_name(etcd));
    if (!sa) ADD_FAILURE() << sa.error().what();
    return sa ? *sa : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_service_account_component();
};

TEST_F(ServiceAccountComponentTest, KindIsServiceAccount) {
  EXPECT_EQ(component_->kind(), "ServiceAccount");
}

TEST_F(ServiceAccountComponentTest, SyncCreatesTheServiceAccountOwnedByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));

  const json sa = get_service_account(etcd);
  EXPECT_TRUE(is_satisfied_by(build_service_account(etcd, env_.settings()), sa)) << sa.dump(2);
  EXPECT_TRUE(is_controlled_by(sa, etcd.metadata.uid));
  EXPECT_EQ(sa.value("automountServiceAccountToken", false), true);
}

TEST_F(ServiceAccountComponentTest, SyncHonoursDisabledAutomount) {
  env_.settings().disable_etcd_service_account_automount = true;
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(get_service_account(etcd).value("automountServiceAccountToken", true), false);
}

TEST_F(ServiceAccountComponentTest, SecondSyncWritesNothing) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 0);
}

TEST_F(ServiceAccountComponentTest, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(env_.client().patch(kType, kTestNamespace, api::service_account_name(etcd),
                                  kube::PatchType::kMerge,
                                  {{"metadata", {{"labels", {{"foreign", "label"}}}}},
                                   {"automountServiceAccountToken", false}}));

  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  EXPECT_EQ(env_.server().controls().request_count("patch", "serviceaccounts"), 1);
  const json sa = get_service_account(etcd);
  EXPECT_FALSE(sa["metadata"]["labels"].contains("foreign"));
  EXPECT_EQ(sa.value("automountServiceAccountToken", false), true);
  EXPECT_TRUE(is_satisfied_by(build_service_account(etcd, env_.settings()), sa));
}

TEST_F(ServiceAccountComponentTest, FailedWriteIsErrSyncServiceAccount) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("create", "serviceaccounts", 500);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncServiceAccount);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 500);
  EXPECT_NE(result.error().message.find("shoot--dev--test/etcd-main"), std::string::npos);
}

TEST_F(ServiceAccountComponentTest, ExistingNamesListsOnlyAServiceAccountControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  // Same name, another controller: not ours.
  json foreign = build_service_account(etcd, env_.settings());
  foreign["metadata"]["ownerReferences"][0]["uid"] = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(env_.client().create(kType, kTestNamespace, foreign));
  auto still_none = component_->existing_names(ctx);
  ASSERT_TRUE(still_none);
  EXPECT_TRUE(still_none->empty());

  ASSERT_TRUE(component_->sync(ctx));  // takes it over (owner references are druid's)
  auto names = component_->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{"etcd-main"});
}

TEST_F(ServiceAccountComponentTest, FailedGetIsErrGetServiceAccount) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("get", "serviceaccounts", 500);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetServiceAccount);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(ServiceAccountComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.client().get(kType, kTestNamespace, api::service_account_name(etcd));
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_F(ServiceAccountComponentTest, FailedDeleteIsErrDeleteServiceAccount) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().fail_next("delete", "serviceaccounts", 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kDeleteServiceAccount);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

}  // namespace
}  // namespace druid::component
