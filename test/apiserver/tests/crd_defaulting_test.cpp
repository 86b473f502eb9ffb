// Custom resources get the `default`s of their CRD's structural schema, as on a
// real server: on create, update and patch (after pruning, before validation)
// and when objects stored without them are read.

#include <gtest/gtest.h>

#include <string>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

const char* kCrds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const char* kGadgets = "/apis/example.com/v1/namespaces/default/gadgets";
const char* kOpsTasks = "/apis/druid.gardener.cloud/v1alpha1/namespaces/default/etcdopstasks";

// Every kind of place a default can sit.
json gadget_crd() {
  json properties;
  properties["replicas"] = {{"type", "integer"}, {"default", 1}};
  properties["mode"] = {{"type", "string"}, {"default", "fast"}};
  // No default of its own: its child's default applies only when it is present.
  properties["nested"] = {{"type", "object"}};
  properties["nested"]["properties"]["level"] = {{"type", "integer"}, {"default", 5}};
  // Defaulted to {}, which is then defaulted in turn.
  properties["toggles"] = {{"type", "object"}, {"default", json::object()}};
  properties["toggles"]["properties"]["enabled"] = {{"type", "boolean"}, {"default", true}};
  json port = {{"type", "object"}};
  port["properties"]["name"] = {{"type", "string"}};
  port["properties"]["protocol"] = {{"type", "string"}, {"default", "TCP"}};
  properties["ports"] = {{"type", "array"}, {"items", port}};
  json weight = {{"type", "object"}};
  weight["properties"]["weight"] = {{"type", "integer"}, {"default", 10}};
  properties["weights"] = {{"type", "object"}, {"additionalProperties", weight}};
  properties["note"] = {{"type", "string"}, {"nullable", true}};
  properties["comment"] = {{"type", "string"}};
  const json spec = {{"type", "object"}, {"properties", properties}};
  json version = {
      {"name", "v1"},
      {"served", true},
      {"storage", true},
      {"schema", {{"openAPIV3Schema", {{"type", "object"}, {"properties", {{"spec", spec}}}}}}}};
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "gadgets.example.com"}}},
          {"spec",
           {{"group", "example.com"},
            {"scope", "Namespaced"},
            {"names", {{"plural", "gadgets"}, {"singular", "gadget"}, {"kind", "Gadget"}}},
            {"versions", json::array({version})}}}};
}

json gadget(const std::string& name, json spec) {
  json o = {{"apiVersion", "example.com/v1"},
            {"kind", "Gadget"},
            {"metadata", {{"name", name}, {"namespace", "default"}}}};
  if (!spec.is_null()) o["spec"] = std::move(spec);
  return o;
}

json ops_task(const std::string& name, json spec) {
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "EtcdOpsTask"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", std::move(spec)}};
}

class CrdDefaultingTest : public ApiServerTest {
 protected:
  json stored_gadget(const std::string& name) {
    auto o = server_.get("gadgets.example.com", "default", name);
    EXPECT_TRUE(o) << name;
    return o ? *o : json();
  }
  json stored_task(const std::string& name) {
    auto o = server_.get("etcdopstasks.druid.gardener.cloud", "default", name);
    EXPECT_TRUE(o) << name;
    return o ? *o : json();
  }
};

TEST_F(CrdDefaultingTest, EtcdOpsTaskIsCreatedWithItsDefaults) {
  install_druid_crds();
  json spec = {{"etcdName", "etcd-main"}, {"config", {{"onDemandSnapshot", {{"type", "full"}}}}}};
  auto r = client_->post(kOpsTasks, ops_task("snap", spec));
  ASSERT_EQ(r.status, 201) << r.text;
  const json expected = {
      {"etcdName", "etcd-main"},
      {"ttlSecondsAfterFinished", 3600},
      {"config",
       {{"onDemandSnapshot",
         {{"type", "full"}, {"timeoutSecondsDelta", 60}, {"timeoutSecondsFull", 900}}}}}};
  EXPECT_EQ(r.body["spec"], expected);
  EXPECT_EQ(stored_task("snap")["spec"], expected);
  EXPECT_EQ(client_->get(std::string(kOpsTasks) + "/snap").body["spec"], expected);
}

TEST_F(CrdDefaultingTest, GivenValuesAreKept) {
  install_druid_crds();
  json spec = {{"etcdName", "etcd-main"},
               {"ttlSecondsAfterFinished", 60},
               {"config",
                {{"onDemandSnapshot",
                  {{"type", "delta"}, {"timeoutSecondsDelta", 30}, {"timeoutSecondsFull", 600}}}}}};
  auto r = client_->post(kOpsTasks, ops_task("snap", spec));
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_EQ(r.body["spec"], spec);
}

TEST_F(CrdDefaultingTest, DefaultsApplyBeforeValidation) {
  install_druid_crds();
  json spec = {{"etcdName", "etcd-main"}, {"config", {{"onDemandSnapshot", {{"type", "full"}}}}}};
  json created = create(kOpsTasks, ops_task("snap", spec));
  const std::string path = std::string(kOpsTasks) + "/snap";

  // An update without the defaulted field gets it again: the immutability rule
  // on ttlSecondsAfterFinished sees 3600 on both sides, and the spec did not change.
  json same = created;
  same["spec"].erase("ttlSecondsAfterFinished");
  same["spec"]["config"]["onDemandSnapshot"].erase("timeoutSecondsFull");
  auto put = client_->put(path, same);
  ASSERT_EQ(put.status, 200) << put.text;
  EXPECT_EQ(put.body["spec"], created["spec"]);
  EXPECT_EQ(put.body["metadata"]["generation"], 1);

  // A merge patch deleting the field: defaulted back, not "removed".
  auto removed = client_->patch(path, json{{"spec", {{"ttlSecondsAfterFinished", nullptr}}}});
  ASSERT_EQ(removed.status, 200) << removed.text;
  EXPECT_EQ(removed.body["spec"]["ttlSecondsAfterFinished"], 3600);

  // The stored value the rule compares with is the default.
  auto changed = client_->patch(path, json{{"spec", {{"ttlSecondsAfterFinished", 5}}}});
  ASSERT_EQ(changed.status, 422) << changed.text;
  EXPECT_EQ(changed.body["message"],
            "EtcdOpsTask.druid.gardener.cloud \"snap\" is invalid: spec.ttlSecondsAfterFinished: "
            "Invalid value: \"integer\": ttlSecondsAfterFinished is immutable");
  EXPECT_EQ(stored_task("snap")["spec"]["ttlSecondsAfterFinished"], 3600);
}

TEST_F(CrdDefaultingTest, DefaultsFollowTheSchema) {
  create(kCrds, gadget_crd());
  json spec = {{"ports", json::array({{{"name", "a"}}, {{"name", "b"}, {"protocol", "UDP"}}})},
               {"weights", {{"x", json::object()}, {"y", {{"weight", 3}}}}},
               {"mode", nullptr},      // null, not nullable, defaulted: the default
               {"note", nullptr},      // nullable: kept
               {"comment", nullptr}};  // null, not nullable, no default: dropped
  auto r = client_->post(kGadgets, gadget("g", spec));
  ASSERT_EQ(r.status, 201) << r.text;
  const json expected = {{"replicas", 1},
                         {"mode", "fast"},
                         {"toggles", {{"enabled", true}}},
                         {"ports", json::array({{{"name", "a"}, {"protocol", "TCP"}},
                                                {{"name", "b"}, {"protocol", "UDP"}}})},
                         {"weights", {{"x", {{"weight", 10}}}, {"y", {{"weight", 3}}}}},
                         {"note", nullptr}};
  EXPECT_EQ(r.body["spec"], expected);
  EXPECT_EQ(stored_gadget("g")["spec"], expected);
}

TEST_F(CrdDefaultingTest, AbsentParentsAreNotCreated) {
  create(kCrds, gadget_crd());
  // No spec: spec has no default, so nothing below it applies.
  auto bare = client_->post(kGadgets, gadget("bare", nullptr));
  ASSERT_EQ(bare.status, 201) << bare.text;
  EXPECT_FALSE(bare.body.contains("spec")) << bare.text;

  // spec present, `nested` absent: no nested.level; `nested` present: level defaulted.
  auto without = client_->post(kGadgets, gadget("without", json::object()));
  ASSERT_EQ(without.status, 201) << without.text;
  EXPECT_FALSE(without.body["spec"].contains("nested")) << without.text;
  auto with = client_->post(kGadgets, gadget("with", {{"nested", json::object()}}));
  ASSERT_EQ(with.status, 201) << with.text;
  EXPECT_EQ(with.body["spec"]["nested"], json({{"level", 5}}));
}

TEST_F(CrdDefaultingTest, UpdatesAndPatchesAreDefaulted) {
  create(kCrds, gadget_crd());
  json created = create(kGadgets, gadget("g", {{"replicas", 3}}));
  const std::string path = std::string(kGadgets) + "/g";

  auto patched = client_->patch(
      path,
      json{{"spec", {{"ports", json::array({{{"name", "p"}}})}, {"nested", json::object()}}}});
  ASSERT_EQ(patched.status, 200) << patched.text;
  EXPECT_EQ(patched.body["spec"]["ports"], json::array({{{"name", "p"}, {"protocol", "TCP"}}}));
  EXPECT_EQ(patched.body["spec"]["nested"], json({{"level", 5}}));
  EXPECT_EQ(patched.body["spec"]["replicas"], 3);

  json replaced = patched.body;
  replaced["spec"] = {{"mode", "slow"}};
  auto put = client_->put(path, replaced);
  ASSERT_EQ(put.status, 200) << put.text;
  EXPECT_EQ(put.body["spec"],
            json({{"replicas", 1}, {"mode", "slow"}, {"toggles", {{"enabled", true}}}}));
  EXPECT_EQ(stored_gadget("g")["spec"], put.body["spec"]);
}

TEST_F(CrdDefaultingTest, ObjectsStoredWithoutDefaultsAreServedWithThem) {
  create(kCrds, gadget_crd());
  // put() writes without the request path, like data written before a default existed.
  ASSERT_TRUE(server_.put(gadget("old", {{"replicas", 2}})));
  const json expected = {{"replicas", 2}, {"mode", "fast"}, {"toggles", {{"enabled", true}}}};

  EXPECT_EQ(client_->get(std::string(kGadgets) + "/old").body["spec"], expected);
  auto list = client_->get(kGadgets);
  ASSERT_EQ(list.body["items"].size(), 1u) << list.text;
  EXPECT_EQ(list.body["items"][0]["spec"], expected);

  WatchRecorder watch(server_, std::string(kGadgets) + "?watch=true");
  auto added = watch.next_change();
  ASSERT_TRUE(added);
  EXPECT_EQ((*added)["type"], "ADDED");
  EXPECT_EQ((*added)["object"]["spec"], expected);
}

}  // namespace
}  // namespace druid::testing
