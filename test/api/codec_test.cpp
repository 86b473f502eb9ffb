#include <gtest/gtest.h>

#include "api/etcd.hpp"

namespace druid::api {
namespace {

TEST(Codec, RoundTripKeepsUnknownFields) {
  auto j = nlohmann::json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1", "kind": "Etcd",
    "metadata": {"name": "e", "namespace": "ns", "managedFields": [{"manager": "kubectl"}]},
    "spec": {"replicas": 3, "labels": {"a": "b"}, "futureField": {"x": 1},
             "etcd": {"quota": "8Gi", "resources": {"requests": {"cpu": "50m"}}},
             "backup": {"store": {"prefix": "p", "provider": "S3", "newKey": true}},
             "schedulingConstraints": {"affinity": {"nodeAffinity": {}}}}
  })");
  auto etcd = decode_etcd(j);
  ASSERT_TRUE(etcd.has_value()) << to_string(etcd.error());
  EXPECT_EQ(etcd->spec.replicas, 3);
  EXPECT_EQ(etcd->spec.etcd.quota->text(), "8Gi");
  EXPECT_EQ(encode_etcd(*etcd), j);
}

// Found by fuzzing (test/fuzz/regressions/etcd_codec): `"kind": ""` decoded to
// "", was written without kind, and that decoded to "Etcd". Empty means absent.
TEST(Codec, EmptyTypeMetaIsTheTypesOwn) {
  auto etcd = decode_etcd(nlohmann::json{{"apiVersion", ""}, {"kind", ""}});
  ASSERT_TRUE(etcd.has_value()) << to_string(etcd.error());
  EXPECT_EQ(etcd->api_version, "druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(etcd->kind, "Etcd");
  const auto encoded = encode_etcd(*etcd);
  EXPECT_EQ(encode_etcd(*decode_etcd(encoded)), encoded);
}

TEST(Codec, TypeErrorsCarryPathAndKubernetesMessage) {
  auto j = nlohmann::json::parse(R"({"spec": {"replicas": "three", "labels": {"a": 1}}})");
  auto etcd = decode_etcd(j);
  ASSERT_FALSE(etcd.has_value());
  ASSERT_EQ(etcd.error().size(), 2u);
  EXPECT_EQ(etcd.error()[0].message(),
            "spec.labels[a]: Invalid value: \"integer\": spec.labels[a] in body must be of type "
            "string: \"integer\"");
  EXPECT_EQ(etcd.error()[1].message(),
            "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type "
            "integer: \"string\"");
}

TEST(Codec, RequiredFieldsReportedOnlyWhenAsked) {
  Etcd etcd;
  auto j = nlohmann::json::parse(R"({"spec": {"etcd": {}}})");
  EXPECT_TRUE(decode_into(j, etcd).empty());
  auto errors = decode_into(j, etcd, true);
  std::vector<std::string> messages;
  for (const auto& e : errors) messages.push_back(e.message());
  EXPECT_EQ(messages,
            (std::vector<std::string>{"spec.labels: Required value", "spec.backup: Required value",
                                      "spec.replicas: Required value"}));
}

TEST(Codec, Int32RangeIsChecked) {
  auto etcd = decode_etcd(nlohmann::json::parse(R"({"spec": {"replicas": 3000000000}})"));
  ASSERT_FALSE(etcd.has_value());
  EXPECT_EQ(etcd.error()[0].field, "spec.replicas");
}

// Found by fuzzing (test/fuzz/regressions/validation): a float beyond int64 was
// cast to int64 (undefined behaviour); it is not an integer, whole floats are.
TEST(Codec, FloatBeyondInt64IsNotAnInteger) {
  for (const char* number : {"2e80", "-2e80", "9.3e18", "-9.3e18"}) {
    auto etcd = decode_etcd(
        nlohmann::json::parse(std::string(R"({"spec": {"replicas": )") + number + "}}"));
    ASSERT_FALSE(etcd.has_value()) << number;
    EXPECT_EQ(etcd.error()[0].field, "spec.replicas");
    EXPECT_NE(etcd.error()[0].message().find("must be of type integer"), std::string::npos)
        << etcd.error()[0].message();
  }
  auto whole = decode_etcd(nlohmann::json::parse(R"({"spec": {"replicas": 3.0}})"));
  ASSERT_TRUE(whole.has_value()) << to_string(whole.error());
  EXPECT_EQ(whole->spec.replicas, 3);
}

TEST(Codec, SchemaListsRequiredFields) {
  auto schema = schema_of<EtcdSpec>();
  EXPECT_EQ(schema.required, (std::set<std::string>{"backup", "etcd", "labels", "replicas"}));
  EXPECT_EQ(schema.properties.at("storageCapacity").kind, SchemaNode::Kind::kIntOrString);
  EXPECT_EQ(schema.properties.at("labels").kind, SchemaNode::Kind::kMap);
}

// Go never omits a list element or map value: `featureGates: {X: false}` stays false.
TEST(Codec, ZeroValuesInsideMapsAndListsAreKept) {
  const std::map<std::string, bool> gates = {{"UpgradeEtcdVersion", false}};
  EXPECT_EQ(*encode_value(gates), nlohmann::json({{"UpgradeEtcdVersion", false}}));
  const std::map<std::string, std::string> labels = {{"empty", ""}};
  EXPECT_EQ(*encode_value(labels), nlohmann::json({{"empty", ""}}));
  const std::vector<std::int32_t> numbers = {0, 1};
  EXPECT_EQ(*encode_value(numbers), nlohmann::json({0, 1}));
}

}  // namespace
}  // namespace druid::api
