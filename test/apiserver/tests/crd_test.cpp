// CustomResourceDefinitions: registration, discovery, establishment, scale and
// status subresources of custom resources, removal with the CRD.

#include <gtest/gtest.h>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

const char* kCrds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

json widget_crd(bool with_status = true) {
  const json open = {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  const json open_schema = {{"type", "object"}, {"properties", {{"spec", open}, {"status", open}}}};
  json version = {
      {"name", "v1"},
      {"served", true},
      {"storage", true},
      {"schema", {{"openAPIV3Schema", open_schema}}},
      {"additionalPrinterColumns",
       json::array({{{"name", "Size"}, {"type", "integer"}, {"jsonPath", ".spec.size"}}})}};
  if (with_status) {
    version["subresources"] = {{"status", json::object()},
                               {"scale",
                                {{"specReplicasPath", ".spec.size"},
                                 {"statusReplicasPath", ".status.size"},
                                 {"labelSelectorPath", ".status.selector"}}}};
  }
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "widgets.example.com"}}},
          {"spec",
           {{"group", "example.com"},
            {"scope", "Namespaced"},
            {"names",
             {{"plural", "widgets"},
              {"singular", "widget"},
              {"kind", "Widget"},
              {"shortNames", {"wd"}},
              {"categories", {"all"}}}},
            {"versions", json::array({version})}}}};
}

json widget(const std::string& name, int size) {
  return {{"apiVersion", "example.com/v1"},
          {"kind", "Widget"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", {{"size", size}}}};
}

const char* kWidgets = "/apis/example.com/v1/namespaces/default/widgets";

class CrdTest : public ApiServerTest {};

TEST_F(CrdTest, CreatingACrdServesItsResource) {
  EXPECT_EQ(client_->get(kWidgets).status, 404);
  create(kCrds, widget_crd());
  auto crd =
      server_.get("customresourcedefinitions.apiextensions.k8s.io", "", "widgets.example.com");
  ASSERT_TRUE(crd);
  json conditions = (*crd)["status"]["conditions"];
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[0]["type"], "NamesAccepted");
  EXPECT_EQ(conditions[1]["type"], "Established");
  EXPECT_EQ(conditions[1]["status"], "True");
  EXPECT_EQ((*crd)["status"]["acceptedNames"]["kind"], "Widget");
  EXPECT_EQ((*crd)["status"]["storedVersions"], json::array({"v1"}));

  auto groups = client_->get("/apis");
  bool found = false;
  for (const auto& g : groups.body["groups"]) found |= g["name"] == "example.com";
  EXPECT_TRUE(found);
  auto resources = client_->get("/apis/example.com/v1");
  ASSERT_EQ(resources.status, 200);
  const json& list = resources.body["resources"];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["name"], "widgets");
  EXPECT_EQ(list[0]["singularName"], "widget");
  EXPECT_EQ(list[0]["shortNames"], json::array({"wd"}));
  EXPECT_EQ(list[0]["categories"], json::array({"all"}));
  EXPECT_EQ(list[0]["namespaced"], true);
  EXPECT_EQ(list[1]["name"], "widgets/status");
  EXPECT_EQ(list[2]["name"], "widgets/scale");
  EXPECT_EQ(list[2]["group"], "autoscaling");
  EXPECT_EQ(list[2]["kind"], "Scale");

  auto w = client_->post(kWidgets, widget("w", 1));
  ASSERT_EQ(w.status, 201) << w.text;
  EXPECT_EQ(w.body["metadata"]["generation"], 1);
  auto listed = client_->get(kWidgets);
  EXPECT_EQ(listed.body["items"][0]["kind"], "Widget") << "custom resource lists keep item types";
}

TEST_F(CrdTest, InvalidCrdIsRejected) {
  json crd = widget_crd();
  crd["metadata"]["name"] = "wrong.example.com";
  auto r = client_->post(kCrds, crd);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "CustomResourceDefinition.apiextensions.k8s.io \"wrong.example.com\" is invalid: "
            "metadata.name: Invalid value: \"wrong.example.com\": must be "
            "spec.names.plural+\".\"+spec.group");
}

TEST_F(CrdTest, GenerationOfCustomResources) {
  create(kCrds, widget_crd(false));
  create(kWidgets, widget("w", 1));
  auto status = client_->patch(std::string(kWidgets) + "/w", json{{"status", {{"size", 1}}}});
  EXPECT_EQ(status.body["metadata"]["generation"], 2)
      << "without a status subresource any change counts";
  EXPECT_EQ(status.body["status"]["size"], 1);
  EXPECT_EQ(client_->get(std::string(kWidgets) + "/w/status").status, 404);
}

TEST_F(CrdTest, ScaleSubresourceOfCustomResources) {
  create(kCrds, widget_crd());
  create(kWidgets, widget("w", 1));
  client_->patch(std::string(kWidgets) + "/w/status",
                 json{{"status", {{"size", 1}, {"selector", "app=w"}}}});
  auto scale = client_->get(std::string(kWidgets) + "/w/scale");
  ASSERT_EQ(scale.status, 200) << scale.text;
  EXPECT_EQ(scale.body["kind"], "Scale");
  EXPECT_EQ(scale.body["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(scale.body["spec"]["replicas"], 1);
  EXPECT_EQ(scale.body["status"]["replicas"], 1);
  EXPECT_EQ(scale.body["status"]["selector"], "app=w");

  auto patched =
      client_->patch(std::string(kWidgets) + "/w/scale", json{{"spec", {{"replicas", 5}}}});
  ASSERT_EQ(patched.status, 200) << patched.text;
  EXPECT_EQ(patched.body["spec"]["replicas"], 5);
  auto w = server_.get("widgets.example.com", "default", "w");
  EXPECT_EQ((*w)["spec"]["size"], 5);
  EXPECT_EQ((*w)["metadata"]["generation"], 2);

  json body = patched.body;
  body["spec"]["replicas"] = 7;
  EXPECT_EQ(client_->put(std::string(kWidgets) + "/w/scale", body).status, 200);
  body["spec"]["replicas"] = 8;  // stale resourceVersion now
  auto stale = client_->put(std::string(kWidgets) + "/w/scale", body);
  EXPECT_EQ(stale.status, 409);
  body = client_->get(std::string(kWidgets) + "/w/scale").body;
  body["spec"]["replicas"] = -1;
  auto negative = client_->put(std::string(kWidgets) + "/w/scale", body);
  EXPECT_EQ(negative.status, 422);
  EXPECT_EQ(negative.body["message"],
            "Scale.autoscaling \"w\" is invalid: spec.replicas: Invalid value: -1: must be greater "
            "than or equal to 0");
}

TEST_F(CrdTest, ScaleOfBuiltinWorkloads) {
  create(kStatefulSets, statefulset("s", 2));
  auto scale = client_->get(std::string(kStatefulSets) + "/s/scale");
  ASSERT_EQ(scale.status, 200);
  EXPECT_EQ(scale.body["spec"]["replicas"], 2);
  EXPECT_EQ(scale.body["status"]["selector"], "app=s");
  auto r =
      client_->patch(std::string(kStatefulSets) + "/s/scale", json{{"spec", {{"replicas", 4}}}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ((*server_.get("statefulsets.apps", "default", "s"))["spec"]["replicas"], 4);
  EXPECT_EQ(client_->get("/api/v1/namespaces/default/configmaps/x/scale").status, 404);
}

TEST_F(CrdTest, StrategicMergePatchIsUnsupportedForCustomResources) {
  create(kCrds, widget_crd());
  create(kWidgets, widget("w", 1));
  auto r = client_->patch(std::string(kWidgets) + "/w", json{{"spec", {{"size", 2}}}},
                          "application/strategic-merge-patch+json");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body["reason"], "UnsupportedMediaType");
  EXPECT_EQ(r.body["message"],
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, "
            "application/apply-patch+yaml");
}

TEST_F(CrdTest, DeletingTheCrdDeletesItsResourcesFirst) {
  create(kCrds, widget_crd());
  json kept = widget("kept", 1);
  kept["metadata"]["finalizers"] = {"example.com/keep"};
  create(kWidgets, kept);
  create(kWidgets, widget("w", 1));
  auto r = client_->del(std::string(kCrds) + "/widgets.example.com");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_FALSE(server_.get("widgets.example.com", "default", "w"));
  ASSERT_TRUE(
      server_.get("customresourcedefinitions.apiextensions.k8s.io", "", "widgets.example.com"))
      << "the CRD waits for its resources";
  client_->patch(std::string(kWidgets) + "/kept", json{{"metadata", {{"finalizers", nullptr}}}});
  EXPECT_FALSE(
      server_.get("customresourcedefinitions.apiextensions.k8s.io", "", "widgets.example.com"));
  EXPECT_EQ(client_->get(kWidgets).status, 404);
}

TEST_F(CrdTest, UnknownFieldsArePrunedWarnedOrRefused) {
  json crd = widget_crd();
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = {
      {"type", "object"},
      {"properties",
       {{"spec",
         {{"type", "object"},
          {"properties",
           {{"size", {{"type", "integer"}}},
            {"free", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
            {"items",
             {{"type", "array"},
              {"items", {{"type", "object"}, {"properties", {{"a", {{"type", "string"}}}}}}}}}}}}},
        {"status", {{"type", "object"}, {"properties", {{"size", {{"type", "integer"}}}}}}}}}};
  create(kCrds, crd);
  json w = widget("w", 1);
  w["spec"]["bogus"] = 1;
  w["spec"]["free"] = {{"anything", true}};
  w["spec"]["items"] = json::array({{{"a", "x"}, {"b", "y"}}});
  w["metadata"]["labels"] = {{"l", "v"}};
  auto strict = client_->post(std::string(kWidgets) + "?fieldValidation=Strict", w);
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(strict.body["message"],
            "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: "
            "unknown field \"spec.bogus\", unknown field \"spec.items[0].b\"");
  auto warned = client_->post(kWidgets, w);
  ASSERT_EQ(warned.status, 201) << warned.text;
  EXPECT_FALSE(warned.body["spec"].contains("bogus"));
  EXPECT_EQ(warned.body["spec"]["free"]["anything"], true);
  EXPECT_EQ(warned.body["spec"]["items"][0], json({{"a", "x"}}));
  EXPECT_EQ(warned.body["metadata"]["labels"]["l"], "v");
  std::vector<std::string> warnings;
  for (auto [it, end] = warned.headers.equal_range("Warning"); it != end; ++it)
    warnings.push_back(it->second);
  EXPECT_EQ(warnings,
            (std::vector<std::string>{"299 - \"unknown field \\\"spec.bogus\\\"\"",
                                      "299 - \"unknown field \\\"spec.items[0].b\\\"\""}));
}

TEST_F(CrdTest, DruidCrdsInstallAndServeEtcds) {
  install_druid_crds();
  auto resources = client_->get("/apis/druid.gardener.cloud/v1alpha1");
  ASSERT_EQ(resources.status, 200);
  std::vector<std::string> names;
  for (const auto& r : resources.body["resources"]) names.push_back(r["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"etcdcopybackupstasks", "etcdcopybackupstasks/status",
                                             "etcdopstasks", "etcdopstasks/status", "etcds",
                                             "etcds/status", "etcds/scale"}));
}

}  // namespace
}  // namespace druid::testing

namespace druid::testing {
namespace {

TEST_F(CrdTest, OpenApiV3AdvertisesFieldValidationAndCrdSchemas) {
  install_druid_crds();
  auto root = client_->get("/openapi/v3");
  ASSERT_EQ(root.status, 200);
  const std::string url =
      root.body["paths"]["apis/druid.gardener.cloud/v1alpha1"]["serverRelativeURL"];
  EXPECT_TRUE(url.starts_with("/openapi/v3/apis/druid.gardener.cloud/v1alpha1?hash=")) << url;
  auto doc = client_->get(url);
  ASSERT_EQ(doc.status, 200);
  const json& patch =
      doc.body["paths"]["/apis/druid.gardener.cloud/v1alpha1/namespaces/{namespace}/etcds/{name}"]
              ["patch"];
  EXPECT_EQ(patch["x-kubernetes-group-version-kind"]["kind"], "Etcd");
  bool field_validation = false;
  for (const auto& p : patch["parameters"]) field_validation |= p["name"] == "fieldValidation";
  EXPECT_TRUE(field_validation);
  const json& schema = doc.body["components"]["schemas"]["cloud.gardener.druid.v1alpha1.Etcd"];
  EXPECT_TRUE(schema["properties"].contains("spec"));
  EXPECT_EQ(client_->get("/openapi/v3/apis/example.com/v1").status, 404);
  EXPECT_EQ(client_->get("/openapi/v2").status, 404);
}

}  // namespace
}  // namespace druid::testing
