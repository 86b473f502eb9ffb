// The C++ API types and the CRD schemas in config/crd describe the same JSON:
// same properties, same types, same required sets. Either side drifting fails here.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/etcd.hpp"
#include "api/etcd_copy_backups_task.hpp"
#include "api/etcd_ops_task.hpp"
#include "util/yaml.hpp"

namespace druid::api {
namespace {

nlohmann::json load_crd_schema(const std::string& file) {
  std::ifstream in(std::string(DRUID_SOURCE_DIR) + "/config/crd/" + file);
  std::stringstream text;
  text << in.rdbuf();
  auto crd = util::parse_yaml(text.str());
  if (!crd) {
    ADD_FAILURE() << file << ": " << crd.error().reason;
    return {};
  }
  return (*crd)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  if (object.is_object()) {
    for (const auto& [k, v] : object.items()) keys.insert(k);
  }
  return keys;
}

class SchemaComparison {
 public:
  std::vector<std::string> failures;

  void compare(const nlohmann::json& crd, const SchemaNode& cpp, const std::string& path) {
    using Kind = SchemaNode::Kind;
    const auto type = crd.value("type", "");
    switch (cpp.kind) {
      case Kind::kAny:  // pass-through Kubernetes structure, kept verbatim
        return;
      case Kind::kBoolean:
      case Kind::kInteger:
      case Kind::kString:
        expect(type == to_string(cpp.kind), path,
               "type " + type + " vs C++ " + to_string(cpp.kind));
        return;
      case Kind::kIntOrString:
        expect(crd.value("x-kubernetes-int-or-string", false), path,
               "C++ int-or-string, CRD is not x-kubernetes-int-or-string");
        return;
      case Kind::kArray:
        expect(type == "array", path, "C++ array, CRD type " + type);
        if (crd.contains("items")) compare(crd["items"], cpp.element.front(), path + "[]");
        return;
      case Kind::kMap:
        expect(type == "object" && crd.contains("additionalProperties"), path,
               "C++ map, CRD has no additionalProperties");
        if (crd.contains("additionalProperties")) {
          compare(crd["additionalProperties"], cpp.element.front(), path + "{}");
        }
        return;
      case Kind::kObject:
        compare_object(crd, cpp, path);
        return;
    }
  }

 private:
  void expect(bool ok, const std::string& path, const std::string& what) {
    if (!ok) failures.push_back(path + ": " + what);
  }

  void compare_object(const nlohmann::json& crd, const SchemaNode& cpp, const std::string& path) {
    expect(crd.value("type", "") == "object", path,
           "C++ struct, CRD type " + crd.value("type", ""));
    const auto crd_properties = keys_of(crd.value("properties", nlohmann::json::object()));
    std::set<std::string> cpp_properties;
    for (const auto& [name, node] : cpp.properties) cpp_properties.insert(name);
    for (const auto& name : crd_properties) {
      expect(cpp_properties.contains(name), path + "." + name, "in the CRD, not in the C++ type");
    }
    for (const auto& name : cpp_properties) {
      expect(crd_properties.contains(name), path + "." + name, "in the C++ type, not in the CRD");
    }
    std::set<std::string> crd_required;
    for (const auto& r : crd.value("required", nlohmann::json::array())) crd_required.insert(r);
    expect(crd_required == cpp.required, path, "required sets differ");
    for (const auto& [name, node] : cpp.properties) {
      if (path.empty() && name == "metadata") continue;  // CRDs declare metadata as a bare object
      if (crd_properties.contains(name)) {
        compare(crd["properties"][name], node, path.empty() ? name : path + "." + name);
      }
    }
  }
};

template <class T>
void expect_schema_matches(const std::string& file) {
  SchemaComparison comparison;
  comparison.compare(load_crd_schema(file), schema_of<T>(), "");
  for (const auto& failure : comparison.failures) ADD_FAILURE() << file << ": " << failure;
}

TEST(CrdSchemaCrossCheck, EtcdTypesMatchCrd) {
  expect_schema_matches<Etcd>("druid.gardener.cloud_etcds.yaml");
}

TEST(CrdSchemaCrossCheck, EtcdTypesMatchCrdWithoutCel) {
  expect_schema_matches<Etcd>("druid.gardener.cloud_etcds_without_cel.yaml");
}

TEST(CrdSchemaCrossCheck, EtcdCopyBackupsTaskTypesMatchCrd) {
  expect_schema_matches<EtcdCopyBackupsTask>("druid.gardener.cloud_etcdcopybackupstasks.yaml");
}

TEST(CrdSchemaCrossCheck, EtcdOpsTaskTypesMatchCrd) {
  expect_schema_matches<EtcdOpsTask>("druid.gardener.cloud_etcdopstasks.yaml");
}

// The comparison itself must notice drift, or the tests above prove nothing.
TEST(CrdSchemaCrossCheck, DetectsMissingPropertyTypeAndRequiredDrift) {
  auto crd = load_crd_schema("druid.gardener.cloud_etcds.yaml");
  auto spec = crd["properties"]["spec"];
  spec["properties"].erase("replicas");
  spec["properties"]["labels"]["type"] = "string";
  spec["required"] = nlohmann::json::array({"etcd"});
  spec["properties"]["extraField"] = {{"type", "string"}};
  SchemaComparison comparison;
  comparison.compare(spec, schema_of<EtcdSpec>(), "spec");
  std::string all;
  for (const auto& f : comparison.failures) all += f + "\n";
  EXPECT_NE(all.find("spec.replicas: in the C++ type, not in the CRD"), std::string::npos) << all;
  EXPECT_NE(all.find("spec.extraField: in the CRD, not in the C++ type"), std::string::npos) << all;
  EXPECT_NE(all.find("spec: required sets differ"), std::string::npos) << all;
  EXPECT_NE(all.find("spec.labels: C++ map"), std::string::npos) << all;
}

}  // namespace
}  // namespace druid::api
