// The Etcd controller's own check of a spec (controller/etcd/spec_validation.hpp): the CRD's CEL
// rules, and its transition rules against what the StatefulSet and ConfigMap say was deployed.
#include "controller/etcd/spec_validation.hpp"

#include <gtest/gtest.h>

#include "api/validation/etcd_validation.hpp"
#include "support/fixtures.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;
using test::base_etcd_json;
using test::kTestEtcdUid;

std::vector<std::string> messages(const api::FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.message());
  return out;
}

std::vector<std::string> check(const json& object, const DeployedSpec& deployed = {}) {
  return messages(check_spec(object, test::decode(object), deployed));
}

json owned(json object) {
  object["metadata"]["ownerReferences"] = {{{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                                            {"kind", "Etcd"},
                                            {"name", "etcd-main"},
                                            {"uid", kTestEtcdUid},
                                            {"controller", true}}};
  return object;
}

json statefulset(int replicas, const std::string& claim, const std::string& storage_class) {
  json claim_spec = json::object();
  if (!storage_class.empty()) claim_spec["storageClassName"] = storage_class;
  return owned({{"metadata", {{"name", "etcd-main"}}},
                {"spec",
                 {{"replicas", replicas},
                  {"volumeClaimTemplates",
                   json::array({{{"metadata", {{"name", claim}}}, {"spec", claim_spec}}})}}}});
}

json configmap(const std::string& config_yaml) {
  return owned(
      {{"metadata", {{"name", "etcd-main-config"}}}, {"data", {{"etcd.conf.yaml", config_yaml}}}});
}

TEST(SpecValidationTest, AValidSpecWithNothingDeployedPasses) {
  EXPECT_TRUE(check(base_etcd_json(3)).empty());
}

TEST(SpecValidationTest, RunsTheCelRulesButNotTheSchema) {
  json etcd = base_etcd_json(3);
  etcd["spec"]["backup"]["deltaSnapshotPeriod"] = "5m";
  etcd["spec"]["backup"]["garbageCollectionPeriod"] = "1m";
  // A schema error (pattern) every server enforces is not reported again.
  etcd["spec"]["memberNamePrefix"] = "Not_A_Dns_Label";
  EXPECT_EQ(check(etcd), std::vector<std::string>{
                             "spec.backup: Invalid value: \"object\": "
                             "etcd.spec.backup.garbageCollectionPeriod must be greater than "
                             "etcd.spec.backup.deltaSnapshotPeriod"});
  // The server's schema-only validation, by contrast, reports only the pattern.
  const auto schema =
      messages(api::validation::validate_etcd(etcd, api::validation::EtcdChecks::kSchemaOnly));
  ASSERT_EQ(schema.size(), 1u);
  EXPECT_NE(schema[0].find("spec.memberNamePrefix"), std::string::npos) << schema[0];
}

TEST(SpecValidationTest, ABlockingSchemaErrorIsReportedInsteadOfTheRules) {
  json etcd = base_etcd_json(3);
  etcd["spec"]["etcd"]["metrics"] = "verbose";  // enum: the rules cannot be checked
  const auto found = check(etcd);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].find("spec.etcd.metrics: Unsupported value: \"verbose\""), std::string::npos)
      << found[0];
  EXPECT_NE(found[1].find("some validation rules were not checked"), std::string::npos);
}

TEST(SpecValidationTest, ReplicasMayGrowOrGoToZeroButNotShrink) {
  const json three = statefulset(3, "etcd-main", "");
  const auto deployed = deployed_spec(&three, nullptr, kTestEtcdUid);
  ASSERT_EQ(deployed.replicas, 3);
  EXPECT_TRUE(check(base_etcd_json(3), deployed).empty());
  EXPECT_TRUE(check(base_etcd_json(5), deployed).empty());
  EXPECT_TRUE(check(base_etcd_json(0), deployed).empty());
  EXPECT_EQ(check(base_etcd_json(1), deployed),
            std::vector<std::string>{"spec.replicas: Invalid value: \"integer\": Replicas can "
                                     "either be increased or be downscaled to 0."});
  // From a hibernated (zero) StatefulSet any size is fine.
  const json zero = statefulset(0, "etcd-main", "");
  EXPECT_TRUE(check(base_etcd_json(1), deployed_spec(&zero, nullptr, kTestEtcdUid)).empty());
}

TEST(SpecValidationTest, StorageClassAndClaimTemplateCannotChange) {
  const json standard = statefulset(3, "etcd-main", "standard");
  const auto deployed = deployed_spec(&standard, nullptr, kTestEtcdUid);
  json etcd = base_etcd_json(3);
  EXPECT_EQ(check(etcd, deployed),
            std::vector<std::string>{"spec.storageClass: Invalid value: \"string\": "
                                     "etcd.spec.storageClass is an immutable field"});
  etcd["spec"]["storageClass"] = "standard";
  EXPECT_TRUE(check(etcd, deployed).empty());
  etcd["spec"]["volumeClaimTemplate"] = "data";
  EXPECT_EQ(check(etcd, deployed),
            std::vector<std::string>{"spec.volumeClaimTemplate: Invalid value: \"string\": "
                                     "etcd.spec.VolumeClaimTemplate is an immutable field"});
}

TEST(SpecValidationTest, MemberNamePrefixIsComparedWithTheDeployedConfiguration) {
  const json plain = configmap("name: etcd-main\n");
  const auto without = deployed_spec(nullptr, &plain, kTestEtcdUid);
  ASSERT_EQ(without.member_name_prefix, "");
  json etcd = base_etcd_json(3);
  EXPECT_TRUE(check(etcd, without).empty());
  etcd["spec"]["memberNamePrefix"] = "main";
  EXPECT_EQ(check(etcd, without),
            std::vector<std::string>{"spec.memberNamePrefix: Invalid value: \"string\": "
                                     "etcd.spec.memberNamePrefix is an immutable field"});
  const json prefixed = configmap("member-name-prefix: main\nname: x\n");
  const auto with = deployed_spec(nullptr, &prefixed, kTestEtcdUid);
  EXPECT_TRUE(check(etcd, with).empty());
}

TEST(SpecValidationTest, ObjectsOfAnotherOwnerOrWithoutDataSayNothing) {
  json foreign = statefulset(5, "other", "fast");
  foreign["metadata"]["ownerReferences"][0]["uid"] = "someone-else";
  const json broken = configmap("{not yaml");
  const auto deployed = deployed_spec(&foreign, &broken, kTestEtcdUid);
  EXPECT_FALSE(deployed.replicas);
  EXPECT_FALSE(deployed.storage_class);
  EXPECT_FALSE(deployed.claim_template_name);
  EXPECT_FALSE(deployed.member_name_prefix);
  EXPECT_TRUE(check(base_etcd_json(1), deployed).empty());
}

}  // namespace
}  // namespace druid::controller::etcd
