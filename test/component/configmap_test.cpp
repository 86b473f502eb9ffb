// The ConfigMap `<etcd>-config` (upstream's internal/component/configmap/configmap.go and
// etcdconfig.go): etcd.conf.yaml per variant against reviewed goldens (the ConfigMap,
// the YAML bytes and the checksum), and sync / existing names / trigger
// delete against the test API server.

#include "component/configmap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "api/names.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "kube/resource.hpp"
#include "support/component_env.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"
#include "util/go_json.hpp"
#include "util/json_access.hpp"

namespace druid::component {
namespace {

using nlohmann::json;
using test::base_etcd_json;
using test::kTestNamespace;

const util::ResourceType& kType = kube::resources::kConfigMaps;

// A byte-exact text golden next to the JSON ones (UPDATE_GOLDEN=1 rewrites).
::testing::AssertionResult matches_text_golden(const std::string& actual,
                                               const std::string& relative) {
  const auto path = test::golden_path(relative);
  const char* update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return ::testing::AssertionSuccess();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ::testing::AssertionFailure() << "missing golden file " << path;
  std::stringstream expected;
  expected << in.rdbuf();
  if (expected.str() == actual) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "differs from " << path << "\nactual:\n" << actual;
}

// --- Etcd variants ----------------------------------------------------------

json minimal_etcd() {
  return base_etcd_json(1);
}

json tls_etcd() {
  json etcd = base_etcd_json(3);
  test::add_client_tls(etcd);
  test::add_peer_tls(etcd);
  return etcd;
}

// No dataKey on either CA (ca.crt) and SAN verification of peers switched off.
json tls_defaults_etcd() {
  json etcd = base_etcd_json(3);
  etcd["spec"]["etcd"]["clientUrlTls"] = {
      {"tlsCASecretRef", {{"name", "client-url-ca-etcd"}}},
      {"serverTLSSecretRef", {{"name", "client-url-etcd-server-tls"}}}};
  etcd["spec"]["etcd"]["peerUrlTls"] = {
      {"tlsCASecretRef", {{"name", "peer-url-ca-etcd"}}},
      {"serverTLSSecretRef", {{"name", "peer-url-etcd-server-tls"}}},
      {"skipClientSANVerification", true}};
  return etcd;
}

// Additional URLs for member prefix-etcd-main-1 (two) and one keyed by the
// bare pod name etcd-main-2, which is not a member name here and must not apply.
json member_name_prefix_etcd() {
  json etcd = base_etcd_json(3);
  test::add_peer_tls(etcd);
  etcd["spec"]["memberNamePrefix"] = "prefix";
  etcd["spec"]["etcd"]["additionalAdvertisePeerURLs"] = {
      {{"memberName", "prefix-etcd-main-1"},
       {"urls", {"https://10.0.0.11:2380", "https://lb-1.example.com:2380"}}},
      {{"memberName", "etcd-main-2"}, {"urls", {"https://10.0.0.12:2380"}}}};
  return etcd;
}

json bootstrap_etcd() {
  json etcd = base_etcd_json(3);
  etcd["spec"]["etcd"]["bootstrapWithExistingCluster"] = {
      {"members",
       {{{"name", "source-0"},
         {"peerUrls", {"http://source-0.source-peer.src.svc:2380", "http://10.1.0.10:2380"}}},
        {{"name", "source-1"}, {"peerUrls", {"http://source-1.source-peer.src.svc:2380"}}}}},
      {"clientEndpoints", {"http://source-client.src.svc:2379"}}};
  return etcd;
}

// quota, metrics, snapshotCount, gRPC gateway, ports and compaction all set;
// a revision retention of "1000" is a string that YAML must quote.
json custom_etcd() {
  json etcd = base_etcd_json(3);
  etcd["spec"]["etcd"]["quota"] = "25Gi";
  etcd["spec"]["etcd"]["metrics"] = "extensive";
  etcd["spec"]["etcd"]["snapshotCount"] = 75000;
  etcd["spec"]["etcd"]["enableGRPCGateway"] = true;
  etcd["spec"]["etcd"]["serverPort"] = 2480;
  etcd["spec"]["etcd"]["clientPort"] = 2479;
  etcd["spec"]["sharedConfig"] = {{"autoCompactionMode", "revision"},
                                  {"autoCompactionRetention", "1000"}};
  return etcd;
}

OperatorSettings upgrade_gate_on() {
  OperatorSettings settings;
  settings.feature_gates.upgrade_etcd_version = true;
  return settings;
}

struct Variant {
  const char* name;
  json (*etcd)();
  bool upgrade_gate;
};

const Variant kVariants[] = {
    {"minimal-1-replica", minimal_etcd, false},
    {"tls-3-replicas", tls_etcd, false},
    {"tls-defaults", tls_defaults_etcd, false},
    {"member-name-prefix", member_name_prefix_etcd, false},
    {"bootstrap-with-existing-cluster", bootstrap_etcd, false},
    {"upgrade-etcd-version-gate", [] { return base_etcd_json(3); }, true},
    {"custom", custom_etcd, false},
    {"hibernated", [] { return base_etcd_json(0); }, false},
};

class ConfigMapGolden : public ::testing::TestWithParam<Variant> {};

TEST_P(ConfigMapGolden, ConfigMapYamlAndChecksum) {
  const auto& variant = GetParam();
  const auto etcd = test::decode(variant.etcd());
  const OperatorSettings settings = variant.upgrade_gate ? upgrade_gate_on() : OperatorSettings{};
  const auto configmap = build_configmap(etcd, settings);
  ASSERT_TRUE(configmap) << configmap.error();
  const std::string base = std::string("configmap/") + variant.name;
  EXPECT_TRUE(test::matches_golden(*configmap, base + ".json"));
  const std::string yaml = configmap->at("data").at("etcd.conf.yaml");
  EXPECT_TRUE(matches_text_golden(yaml, base + ".yaml"));
  EXPECT_TRUE(
      matches_text_golden(configmap_checksum(configmap->at("data")) + "\n", base + ".sha256"));
  EXPECT_EQ(*etcd_config_yaml(etcd, settings), yaml);
}

INSTANTIATE_TEST_SUITE_P(Variants, ConfigMapGolden, ::testing::ValuesIn(kVariants),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// --- etcd.conf.yaml details -------------------------------------------------

std::string yaml_of(const json& etcd_json, const OperatorSettings& settings = {}) {
  const auto yaml = etcd_config_yaml(test::decode(etcd_json), settings);
  EXPECT_TRUE(yaml) << (yaml ? "" : yaml.error());
  return yaml ? *yaml : "";
}

bool has_line(const std::string& yaml, const std::string& line) {
  return ("\n" + yaml).find("\n" + line + "\n") != std::string::npos;
}

TEST(EtcdConfigYaml, AdditionalPeerUrlsMatchTheMemberName) {
  const std::string yaml = yaml_of(member_name_prefix_etcd());
  const std::string peer = ".etcd-main-peer.shoot--dev--test.svc:2380";
  EXPECT_TRUE(
      has_line(yaml, "initial-cluster: prefix-etcd-main-0=https://etcd-main-0" + peer +
                         ",prefix-etcd-main-1=https://etcd-main-1" + peer +
                         ",prefix-etcd-main-1=https://10.0.0.11:2380,prefix-etcd-main-1=https://"
                         "lb-1.example.com:2380,prefix-etcd-main-2=https://etcd-main-2" +
                         peer))
      << yaml;
  EXPECT_EQ(yaml.find("10.0.0.12"), std::string::npos) << "an entry for the pod name applied";
  EXPECT_TRUE(has_line(yaml, "member-name-prefix: prefix"));
}

TEST(EtcdConfigYaml, BootstrapMembersFollowTheOwnMembersOneUrlEach) {
  const std::string yaml = yaml_of(bootstrap_etcd());
  EXPECT_NE(yaml.find(".svc:2380,source-0=http://source-0.source-peer.src.svc:2380,"
                      "source-0=http://10.1.0.10:2380,source-1=http://"
                      "source-1.source-peer.src.svc:2380\n"),
            std::string::npos)
      << yaml;
  EXPECT_TRUE(has_line(yaml, "initial-cluster-state: new"));
}

TEST(EtcdConfigYaml, BboltFreelistTypeOnlyWithTheUpgradeEtcdVersionGate) {
  json with_map = base_etcd_json(1);
  with_map["spec"]["etcd"]["backendBboltFreelistType"] = "map";
  EXPECT_EQ(yaml_of(base_etcd_json(1)).find("backend-bbolt-freelist-type"), std::string::npos);
  EXPECT_EQ(yaml_of(with_map).find("backend-bbolt-freelist-type"), std::string::npos);
  EXPECT_TRUE(has_line(yaml_of(base_etcd_json(1), upgrade_gate_on()),
                       "backend-bbolt-freelist-type: array"));
  EXPECT_TRUE(has_line(yaml_of(with_map, upgrade_gate_on()), "backend-bbolt-freelist-type: map"));
}

TEST(EtcdConfigYaml, SchemesFollowTheTlsBlocks) {
  json client_only = base_etcd_json(1);
  test::add_client_tls(client_only);
  const std::string yaml = yaml_of(client_only);
  EXPECT_TRUE(has_line(yaml, "listen-client-urls: https://0.0.0.0:2379"));
  EXPECT_TRUE(has_line(yaml, "listen-peer-urls: http://0.0.0.0:2380"));
  EXPECT_TRUE(has_line(yaml, "  trusted-ca-file: /var/etcd/ssl/ca/bundle.crt"));
  EXPECT_EQ(yaml.find("peer-transport-security"), std::string::npos);
}

TEST(EtcdConfigYaml, AnUnparsableQuotaNamesTheField) {
  json etcd = base_etcd_json(1);
  etcd["spec"]["etcd"]["quota"] = "8 Gi";
  const auto yaml = etcd_config_yaml(test::decode(etcd), {});
  ASSERT_FALSE(yaml);
  EXPECT_EQ(yaml.error().rfind("spec.etcd.quota: ", 0), 0u) << yaml.error();
  EXPECT_FALSE(build_configmap(test::decode(etcd), {}));
}

// The checksum over bytes written out by hand: Go's json.Marshal of the data
// map (keys sorted, no spaces, "\n" and "\"" escaped, < and > as \u003c and
// \u003e). A regression in the JSON layer or in the hashing shows here.
TEST(ConfigMapChecksum, Sha256OfGoJsonOfTheData) {
  const json data = {{"etcd.conf.yaml", "name: etcd-config\nretention: \"1000\"\nx: <y>\n"}};
  const std::string go_json =
      R"({"etcd.conf.yaml":"name: etcd-config\nretention: \"1000\"\nx: \u003cy\u003e\n"})";
  EXPECT_EQ(*util::go_json_marshal(data), go_json);
  // sha256 of exactly those 79 bytes (sha256sum agrees).
  EXPECT_EQ(configmap_checksum(data),
            "8ab550280e11ef113735921aee8cb52f957856e28c3435cd287712ab63b6f000");
}

// --- the component against the test API server --------------------------

class ConfigMapComponentTest : public ::testing::Test {
 protected:
  json get_configmap(const api::Etcd& etcd) {
    auto cm = env_.cluster().get(kType, kTestNamespace, api::configmap_name(etcd));
    if (!cm) ADD_FAILURE() << cm.error().what();
    return cm ? *cm : json();
  }

  static json desired(const api::Etcd& etcd, const OperatorSettings& settings = {}) {
    auto cm = build_configmap(etcd, settings);
    return cm ? *cm : json();
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_configmap_component();
};

TEST_F(ConfigMapComponentTest, KindIsConfigMap) {
  EXPECT_EQ(component_->kind(), "ConfigMap");
}

TEST_F(ConfigMapComponentTest, SyncCreatesItAndHandsTheChecksumToTheStatefulSet) {
  const auto etcd = env_.create_etcd(tls_etcd());
  auto ctx = env_.context(etcd);
  ASSERT_FALSE(ctx.configmap_checksum.has_value());
  ASSERT_TRUE(component_->sync(ctx));

  const json cm = get_configmap(etcd);
  EXPECT_TRUE(is_satisfied_by(desired(etcd), cm)) << cm.dump(2);
  EXPECT_TRUE(util::is_controlled_by(cm, etcd.metadata.uid));
  EXPECT_EQ(cm["data"], desired(etcd)["data"]);
  ASSERT_TRUE(ctx.configmap_checksum.has_value());
  EXPECT_EQ(*ctx.configmap_checksum, configmap_checksum(cm["data"]));
  EXPECT_EQ(ctx.configmap_checksum->size(), 64u);
}

TEST_F(ConfigMapComponentTest, SyncFollowsTheOperatorsFeatureGates) {
  env_.settings().feature_gates.upgrade_etcd_version = true;
  const auto etcd = env_.create_etcd(base_etcd_json(1));
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const std::string yaml = get_configmap(etcd)["data"]["etcd.conf.yaml"];
  EXPECT_TRUE(has_line(yaml, "backend-bbolt-freelist-type: array")) << yaml;
}

TEST_F(ConfigMapComponentTest, SecondSyncWritesNothingAndKeepsTheChecksum) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const auto first = ctx.configmap_checksum;
  env_.cluster().controls().reset_counts();

  auto again = env_.context(etcd);
  ASSERT_TRUE(component_->sync(again));
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);
  EXPECT_EQ(again.configmap_checksum, first);
}

TEST_F(ConfigMapComponentTest, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(env_.cluster().patch(
      kType, kTestNamespace, api::configmap_name(etcd), kube::PatchType::kMerge,
      {{"metadata", {{"labels", {{"foreign", "label"}}}}},
       {"data", {{"etcd.conf.yaml", "name: tampered\n"}, {"extra.yaml", "x: 1\n"}}}}));

  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 1);
  EXPECT_EQ(env_.cluster().controls().request_count("patch", "configmaps"), 1);
  const json cm = get_configmap(etcd);
  EXPECT_FALSE(cm["metadata"]["labels"].contains("foreign"));
  EXPECT_EQ(cm["data"], desired(etcd)["data"]);  // extra.yaml removed: the data map is druid's
}

TEST_F(ConfigMapComponentTest, FailedWriteIsErrSyncConfigMapAndSetsNoChecksum) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.cluster().controls().fail_next("create", "configmaps", 500);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncConfigMap);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 500);
  EXPECT_NE(result.error().message.find("shoot--dev--test/etcd-main-config"), std::string::npos);
  EXPECT_FALSE(ctx.configmap_checksum.has_value());
}

TEST_F(ConfigMapComponentTest, AnUnusableEtcdIsErrSyncConfigMapWithoutARequest) {
  json bad = base_etcd_json();
  bad["spec"]["etcd"]["quota"] = "lots";
  const auto etcd = test::decode(bad);  // never admitted by the API server
  auto ctx = env_.context(etcd);
  env_.cluster().controls().reset_counts();
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kSyncConfigMap);
  EXPECT_NE(result.error().message.find("spec.etcd.quota"), std::string::npos);
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);
}

TEST_F(ConfigMapComponentTest, ExistingNamesListsOnlyAConfigMapControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  json foreign = desired(etcd);
  foreign["metadata"]["ownerReferences"][0]["uid"] = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(env_.cluster().create(kType, kTestNamespace, foreign));
  auto still_none = component_->existing_names(ctx);
  ASSERT_TRUE(still_none);
  EXPECT_TRUE(still_none->empty());

  ASSERT_TRUE(component_->sync(ctx));  // takes it over (owner references are druid's)
  auto names = component_->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{"etcd-main-config"});
}

TEST_F(ConfigMapComponentTest, FailedGetIsErrGetConfigMap) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  env_.cluster().controls().fail_next("get", "configmaps", 500);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetConfigMap);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(ConfigMapComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.cluster().get(kType, kTestNamespace, api::configmap_name(etcd));
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_F(ConfigMapComponentTest, FailedDeleteIsErrDeleteConfigMap) {
  const auto etcd = env_.create_etcd(base_etcd_json());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.cluster().controls().fail_next("delete", "configmaps", 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, error_code::kDeleteConfigMap);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

}  // namespace
}  // namespace druid::component
