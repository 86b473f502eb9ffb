#include "component/peerservice.hpp"

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

const kube::ResourceType& kType = kube::resources::kServices;
constexpr const char* kServiceName = "etcd-main-peer";

TEST(PeerServiceBuilder, Default) {
  EXPECT_TRUE(test::matches_golden(build_peer_service(test::decode(base_etcd_json())),
                                   "peerservice/default.json"));
}

TEST(PeerServiceBuilder, CustomServerPort) {
  json etcd = base_etcd_json();
  etcd["spec"]["etcd"]["serverPort"] = 12380;
  etcd["spec"]["etcd"]["clientPort"] = 12379;  // not exposed by the peer Service
  EXPECT_TRUE(test::matches_golden(build_peer_service(test::decode(etcd)),
                                   "peerservice/custom-server-port.json"));
}

class PeerServiceComponentTest : public ::testing::Test {
 protected:
  json get_service() {
    auto service = env_.client().get(kType, kTestNamespace, kServiceName);
    if (!service) ADD_FAILURE() << service.error().what();
    return service ? *service : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_peer_service_component();
};

TEST_F(PeerServiceComponentTest, KindIsPeerService) {
  EXPECT_EQ(component_->kind(), "PeerService");
}

TEST_F(PeerServiceComponentTest, SyncCreatesAHeadlessServiceOwnedByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const json service = get_service();
  EXPECT_TRUE(is_satisfied_by(build_peer_service(etcd), service)) << service.dump(2);
  EXPECT_TRUE(is_controlled_by(service, etcd.metadata.uid));
  EXPECT_EQ(service["spec"]["clusterIP"], "None");
  EXPECT_EQ(service["spec"]["publishNotReadyAddresses"], true);
}

TEST_F(PeerServiceComponentTest, SecondSyncWritesNothing) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 0);
}

TEST_F(PeerServiceComponentTest, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(env_.client().patch(kType, kTestNamespace, kServiceName, kube::PatchType::kMerge,
                                  {{"metadata", {{"labels", {{"foreign", "label"}}}}},
                                   {"spec",
                                    {{"publishNotReadyAddresses", false},
                                     {"selector", {{"app.kubernetes.io/component", nullptr}}}}}}));

  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  EXPECT_EQ(env_.server().controls().request_count("patch", "services"), 1);
  const json service = get_service();
  EXPECT_FALSE(service["metadata"]["labels"].contains("foreign"));
  EXPECT_EQ(service["spec"]["publishNotReadyAddresses"], true);
  EXPECT_EQ(service["spec"]["selector"]["app.kubernetes.io/component"], "etcd-statefulset");
}

TEST_F(PeerServiceComponentTest, FailedWriteIsErrSyncPeerService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("create", "services", 500);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncPeerService);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 500);
}

TEST_F(PeerServiceComponentTest, ExistingNamesListsOnlyAServiceControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  json foreign = build_peer_service(etcd);
  foreign["metadata"]["ownerReferences"][0]["uid"] = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(env_.client().create(kType, kTestNamespace, foreign));
  auto still_none = component_->existing_names(ctx);
  ASSERT_TRUE(still_none);
  EXPECT_TRUE(still_none->empty());

  ASSERT_TRUE(component_->sync(ctx));
  auto names = component_->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{kServiceName});
}

TEST_F(PeerServiceComponentTest, FailedGetIsErrGetPeerService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("get", "services", 500);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetPeerService);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(PeerServiceComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.client().get(kType, kTestNamespace, kServiceName);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_F(PeerServiceComponentTest, FailedDeleteIsErrDeletePeerService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().fail_next("delete", "services", 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kDeletePeerService);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

}  // namespace
}  // namespace druid::component
