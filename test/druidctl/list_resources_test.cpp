// `kubectl druid list-resources`: the objects labelled app.kubernetes.io/part-of=<etcd>, per
// type, as tables and as the EtcdResourceList document; filter tokens through discovery.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "druidctl_env.hpp"
#include "util/yaml.hpp"

namespace druid::druidctl::test {
namespace {

using nlohmann::json;

class ListResourcesTest : public DruidctlTest {
 protected:
  void SetUp() override {
    DruidctlTest::SetUp();
    if (IsSkipped()) return;
    create_etcd("default", "etcd-a");
    put_object({{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata",
                 {{"name", "etcd-a-config"},
                  {"namespace", "default"},
                  {"labels", {{"app.kubernetes.io/part-of", "etcd-a"}}}}}});
    put_object({{"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata",
                 {{"name", "etcd-a-client"},
                  {"namespace", "default"},
                  {"labels", {{"app.kubernetes.io/part-of", "etcd-a"}}}}},
                {"spec", {{"ports", json::array({{{"port", 2379}}})}}}});
    put_object({{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata", {{"name", "unrelated"}, {"namespace", "default"}}}});
  }
  void put_object(const json& object) { ASSERT_TRUE(server_.put(object).has_value()); }
};

TEST_F(ListResourcesTest, TablePerEtcd) {
  auto result = druid("list-resources etcd-a");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("Etcd [default/etcd-a]\n┌", 0), 0u) << result.out;
  EXPECT_TRUE(contains(result.out, "│Kind     │NamespacedName       │Age│\n")) << result.out;
  EXPECT_TRUE(contains(result.out, "│ConfigMap│default/etcd-a-config│")) << result.out;
  EXPECT_TRUE(contains(result.out, "│Service  │default/etcd-a-client│")) << result.out;
  EXPECT_FALSE(contains(result.out, "unrelated")) << result.out;
}

TEST_F(ListResourcesTest, NothingForTheFilter) {
  auto result = druid("list-resources etcd-a --filter po,pdb");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "Etcd [default/etcd-a]\nNo resources found for selected filters\n");
}

TEST_F(ListResourcesTest, UnknownFilterToken) {
  auto result = druid("list-resources etcd-a -f cm,bogus");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "Error: unknown resource 'bogus'\n");
  EXPECT_EQ(result.out, "");
}

TEST_F(ListResourcesTest, JsonDocumentWithShortNames) {
  auto result = druid("list-resources etcd-a -f cm,svc -o json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\n  \"etcds\": ["), std::string::npos) << "indented: " << result.out;
  const auto doc = nlohmann::ordered_json::parse(result.out);
  EXPECT_EQ(doc["kind"], "EtcdResourceList");
  ASSERT_EQ(doc["etcds"].size(), 1u);
  const auto& entry = doc["etcds"][0];
  EXPECT_EQ(entry["etcd"], (nlohmann::ordered_json{{"name", "etcd-a"}, {"namespace", "default"}}));
  ASSERT_EQ(entry["items"].size(), 2u);
  EXPECT_EQ(
      entry["items"][0]["key"],
      (nlohmann::ordered_json{
          {"group", ""}, {"version", "v1"}, {"resource", "configmaps"}, {"kind", "ConfigMap"}}));
  EXPECT_EQ(entry["items"][1]["key"]["resource"], "services");
  const auto& resource = entry["items"][0]["resources"][0];
  EXPECT_EQ(resource["namespace"], "default");
  EXPECT_EQ(resource["name"], "etcd-a-config");
  EXPECT_TRUE(resource["age"].is_number_integer()) << resource;
  EXPECT_GE(resource["age"].get<std::int64_t>(), 0);
}

TEST_F(ListResourcesTest, JsonRawIsOneLineAndYamlParses) {
  auto raw = druid("list-resources etcd-a -f configmaps -o json-raw");
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(raw.out.find('\n'), raw.out.size() - 1) << raw.out;
  const auto doc = json::parse(raw.out);
  EXPECT_EQ(doc["etcds"][0]["items"][0]["resources"][0]["name"], "etcd-a-config");

  auto yaml_out = druid("list-resources etcd-a -f configmap -o yaml");
  ASSERT_EQ(yaml_out.exit_code, 0) << yaml_out.err;
  auto yaml = util::parse_yaml(yaml_out.out);
  ASSERT_TRUE(yaml) << yaml_out.out;
  EXPECT_EQ((*yaml)["kind"], "EtcdResourceList");
  EXPECT_EQ((*yaml)["etcds"][0]["items"][0]["key"]["kind"], "ConfigMap");

  auto bad = druid("list-resources etcd-a -o table");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "Error: invalid output format: table (must be one of json, json-raw, yaml)\n");
}

TEST_F(ListResourcesTest, NoEtcdsInTheNamespace) {
  auto result = druid("list-resources -n empty");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "No Etcd resources found\n");
}

}  // namespace
}  // namespace druid::druidctl::test
