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

// Behaviour shared by all single-object components (sync, errors, delete) is
// checked once, in single_object_component_contract_test.cpp.

using nlohmann::json;
using test::base_etcd_json;
using test::kTestNamespace;

const util::ResourceType& kType = kube::resources::kServices;
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
    auto service = env_.cluster().get(kType, kTestNamespace, kServiceName);
    if (!service) ADD_FAILURE() << service.error().what();
    return service ? *service : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_client_service_component();
};

TEST_F(ClientServiceComponentTest, SpecSettingsReachTheServiceAndStayInSync) {
  const auto etcd = env_.create_etcd(
      with_traffic_distribution(with_service_annotations(with_service_labels(base_etcd_json()))));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const json service = get_service();
  EXPECT_TRUE(is_satisfied_by(build_client_service(etcd), service)) << service.dump(2);
  EXPECT_EQ(service["metadata"]["labels"]["app.kubernetes.io/name"], "etcd-main-client-custom");
  EXPECT_EQ(service["metadata"]["annotations"].size(), 2u);
  EXPECT_EQ(service["spec"]["trafficDistribution"], "PreferClose");

  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);
}

TEST_F(ClientServiceComponentTest, SettingsRemovedFromTheEtcdLeaveTheService) {
  const auto etcd = env_.create_etcd(
      with_traffic_distribution(with_service_annotations(with_service_labels(base_etcd_json()))));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));

  api::Etcd changed = etcd;
  changed.spec.etcd.client_service.reset();
  auto changed_ctx = env_.context(changed);
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(changed_ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 1);
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
  env_.cluster().controls().fail_next("create", "services", 422);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncClientService);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->reason, kube::ApiErrorReason::kInvalid);
}

}  // namespace
}  // namespace druid::component
