#include "component/serviceaccount.hpp"

#include <gtest/gtest.h>

#include "api/codec.hpp"
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

const util::ResourceType& kType = kube::resources::kServiceAccounts;

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
    auto sa = env_.cluster().get(kType, kTestNamespace, api::service_account_name(etcd));
    if (!sa) ADD_FAILURE() << sa.error().what();
    return sa ? *sa : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_service_account_component();
};

TEST_F(ServiceAccountComponentTest, SyncHonoursDisabledAutomount) {
  env_.settings().disable_etcd_service_account_automount = true;
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(get_service_account(etcd).value("automountServiceAccountToken", true), false);
}

}  // namespace
}  // namespace druid::component
