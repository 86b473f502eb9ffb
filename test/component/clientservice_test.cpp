#include "component/clientservice.hpp"

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
constexpr const char* kServiceName = "etcd-main-client";
constexpr const char* kScrapeAnnotation =
    "networking.resources.gardener.cloud/from-all-scrape-targets-allowed-ports";

json with_custom_ports(json etcd) {
  etcd["spec"]["etcd"]["clientPort"] = 12379;
  etcd["spec"]["etcd"]["serverPort"] = 12380;
  etcd["spec"]["backup"]["port"] = 18080;
  return etcd;
}

// A name label that overrides druid's, and one of the user's own.
json with_service_labels(json etcd) {
  etcd["spec"]["etcd"]["clientService"]["labels"] = {
      {"app.kubernetes.io/name", "etcd-main-client-custom"}, {"gardener.cloud/role", "etcd"}};
  return etcd;
}

json with_service_annotations(json etcd) {
  etcd["spec"]["etcd"]["clientService"]["annotations"] = {
      {kScrapeAnnotation, R"([{"port":2379,"protocol":"TCP"}])"},
      {"service.kubernetes.io/topology-mode", "auto"}};
  return etcd;
}

json with_traffic_distribution(json etcd) {
  etcd["spec"]["etcd"]["clientService"]["trafficDistribution"] = "PreferClose";
  return etcd;
}

TEST(ClientServiceBuilder, Default) {
  EXPECT_TRUE(test::matches_golden(build_client_service(test::decode(base_etcd_json())),
                                   "clientservice/default.json"));
}

TEST(ClientServiceBuilder, CustomPorts) {
  const auto etcd = test::decode(with_custom_ports(base_etcd_json()));
  EXPECT_TRUE(test::matches_golden(build_client_service(etcd), "clientservice/custom-ports.json"));
}

TEST(ClientServiceBuilder, SpecLabelsWinOverDruids) {
  const auto etcd = test::decode(with_service_labels(base_etcd_json()));
  EXPECT_TRUE(test::matches_golden(build_client_service(etcd), "clientservice/labels.json"));
}

TEST(ClientServiceBuilder, Annotations) {
  const auto etcd = test::decode(with_service_annotations(base_etcd_json()));
  EXPECT_TRUE(test::matches_golden(build_client_service(etcd), "clientservice/annotations.json"));
}

TEST(ClientServiceBuilder, TrafficDistribution) {
  const auto etcd = test::decode(with_traffic_distribution(base_etcd_json()));
  EXPECT_TRUE(
      test::matches_golden(build_client_service(etcd), "clientservice/traffic-distribution.json"));
}

class ClientServiceComponentTest : public ::testing::Test {
 protected:
  json get_service() {
    auto service = env_.client().get(kType, kTestNamespace, kServiceName);
    if (!service) ADD_FAILURE() << service.error().what();
    return service ? *service : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_client_service_component();
};

TEST_F(ClientServiceComponentTest, KindIsClientService) {
  EXPECT_EQ(component_->kind(), "ClientService");
}

TEST_F(ClientServiceComponentTest, SyncCreatesTheServiceOwnedByTheEtcd) {
  const auto etcd = env_.create_etcd(
      with_traffic_distribution(with_service_annotations(with_service_labels(base_etcd_json()))));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const json service = get_service();
  EXPECT_TRUE(is_satisfied_by(build_client_service(etcd), service)) << service.dump(2);
  EXPECT_TRUE(is_controlled_by(service, etcd.metadata.uid));
  EXPECT_EQ(service["metadata"]["labels"]["app.kubernetes.io/name"], "etcd-main-client-custom");
  EXPECT_EQ(service["metadata"]["annotations"].size(), 2u);
  EXPECT_EQ(service["spec"]["trafficDistribution"], "PreferClose");
  EXPECT_EQ(service["spec"]["selector"]["app.kubernetes.io/component"], "etcd-statefulset");
}

TEST_F(ClientServiceComponentTest, SecondSyncWritesNothing) {
  const auto etcd = env_.create_etcd(
      with_traffic_distribution(with_service_annotations(with_service_labels(base_etcd_json()))));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 0);
}

TEST_F(ClientServiceComponentTest, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(with_service_annotations(base_etcd_json()));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  // Foreign label and annotation, a changed annotation, a dropped port.
  json ports = build_client_service(etcd)["spec"]["ports"];
  ports.erase(2);
  ASSERT_TRUE(env_.client().patch(
      kType, kTestNamespace, kServiceName, kube::PatchType::kMerge,
      {{"metadata",
        {{"labels", {{"foreign", "label"}}},
         {"annotations", {{"foreign", "annotation"}, {kScrapeAnnotation, "[]"}}}}},
       {"spec", {{"ports", ports}, {"trafficDistribution", "PreferClose"}}}}));

  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  EXPECT_EQ(env_.server().controls().request_count("patch", "services"), 1);
  const json service = get_service();
  EXPECT_FALSE(service["metadata"]["labels"].contains("foreign"));
  EXPECT_EQ(service["metadata"]["annotations"],
            build_client_service(etcd)["metadata"]["annotations"]);
  EXPECT_EQ(service["spec"]["ports"].size(), 3u);
  EXPECT_FALSE(service["spec"].contains("trafficDistribution"));
}

TEST_F(ClientServiceComponentTest, SettingsRemovedFromTheEtcdLeaveTheService) {
  const auto etcd = env_.create_etcd(
      with_traffic_distribution(with_service_annotations(with_service_labels(base_etcd_json()))));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));

  api::Etcd changed = etcd;
  changed.spec.etcd.client_service.reset();
  auto changed_ctx = env_.context(changed);
  env_.server().controls().reset_counts();
  ASSERT_TRUE(component_->sync(changed_ctx));
  EXPECT_EQ(env_.server().controls().write_count(), 1);
  const json service = get_service();
  EXPECT_TRUE(service["metadata"].value("annotations", json::object()).empty()) << service.dump(2);
  EXPECT_FALSE(service["metadata"]["labels"].contains("gardener.cloud/role"));
  EXPECT_EQ(service["metadata"]["labels"]["app.kubernetes.io/name"], kServiceName);
  EXPECT_FALSE(service["spec"].contains("trafficDistribution"));
}

// The API server rejects the label value with 422 Invalid (as a real server
// does); the next test covers the same mapping with an injected 422.
TEST_F(ClientServiceComponentTest, InvalidLabelValueIsErrSyncClientService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  api::Etcd invalid = etcd;
  invalid.spec.etcd.client_service.emplace().labels = {{"custom", "inv@lid"}};
  auto ctx = env_.context(invalid);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result) << "the API server accepted the label value inv@lid";
  EXPECT_EQ(result.error().code, error_code::kSyncClientService);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 422);
}

TEST_F(ClientServiceComponentTest, RejectedCreateIsErrSyncClientService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("create", "services", 422);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncClientService);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->reason, kube::ApiErrorReason::kInvalid);
}

TEST_F(ClientServiceComponentTest, FailedWriteIsErrSyncClientService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  api::Etcd changed = etcd;
  changed.spec.etcd.client_service.emplace().traffic_distribution = "PreferClose";
  auto changed_ctx = env_.context(changed);
  env_.server().controls().fail_next("patch", "services", 409);
  const auto result = component_->sync(changed_ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncClientService);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 409);
  EXPECT_NE(result.error().message.find("shoot--dev--test/etcd-main-client"), std::string::npos);
}

TEST_F(ClientServiceComponentTest, ExistingNamesListsOnlyAServiceControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  json foreign = without_nulls(build_client_service(etcd));
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

TEST_F(ClientServiceComponentTest, FailedGetIsErrGetClientService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.server().controls().fail_next("get", "services", 500);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetClientService);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(ClientServiceComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.client().get(kType, kTestNamespace, kServiceName);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_F(ClientServiceComponentTest, FailedDeleteIsErrDeleteClientService) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.server().controls().fail_next("delete", "services", 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kDeleteClientService);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

}  // namespace
}  // namespace druid::component
