// metadata.labels and metadata.annotations are validated on create, update and
// patch of every type, built-in or custom, with a real server's messages
// (apimachinery ValidateObjectMeta / ValidateObjectMetaUpdate).

#include <gtest/gtest.h>

#include <string>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

// Kubernetes' text, double spaces included (RegexError joins "'a', " with " or ").
const std::string kLabelValueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string kNamePartMessage =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kPrefixMessage =
    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
    "'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const char* kCrds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const char* kWidgets = "/apis/example.com/v1/namespaces/default/widgets";

json widget_crd() {
  const json open = {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  json version = {
      {"name", "v1"},
      {"served", true},
      {"storage", true},
      {"schema", {{"openAPIV3Schema", {{"type", "object"}, {"properties", {{"spec", open}}}}}}}};
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "widgets.example.com"}}},
          {"spec",
           {{"group", "example.com"},
            {"scope", "Namespaced"},
            {"names", {{"plural", "widgets"}, {"singular", "widget"}, {"kind", "Widget"}}},
            {"versions", json::array({version})}}}};
}

class ObjectMetaValidationTest : public ApiServerTest {
 protected:
  // A ConfigMap with the given annotations.
  static json annotated(const std::string& name, json annotations) {
    json cm = configmap(name);
    cm["metadata"]["annotations"] = std::move(annotations);
    return cm;
  }
  // The causes of a 422 as "field|reason|message" lines.
  static std::vector<std::string> causes(const TestResponse& r) {
    std::vector<std::string> out;
    for (const auto& c : r.body["details"]["causes"]) {
      out.push_back(c.value("field", "") + "|" + c.value("reason", "") + "|" +
                    c.value("message", ""));
    }
    return out;
  }
};

TEST_F(ObjectMetaValidationTest, InvalidLabelValueIsRejectedOnCreate) {
  auto r = client_->post(kConfigMaps, configmap("cm", {{"custom", "inv@lid"}}));
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["kind"], "Status");
  EXPECT_EQ(r.body["status"], "Failure");
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["code"], 422);
  EXPECT_EQ(r.body["message"],
            "ConfigMap \"cm\" is invalid: metadata.labels: Invalid value: "
            "\"inv@lid\": " +
                kLabelValueMessage);
  EXPECT_EQ(r.body["details"]["name"], "cm");
  EXPECT_EQ(r.body["details"]["kind"], "ConfigMap");
  EXPECT_EQ(causes(r), std::vector<std::string>{"metadata.labels|FieldValueInvalid|Invalid value: "
                                                "\"inv@lid\": " +
                                                kLabelValueMessage});
  EXPECT_FALSE(server_.get("configmaps", "default", "cm"));
}

TEST_F(ObjectMetaValidationTest, ValidLabelsAreStored) {
  const json labels = {{"app.kubernetes.io/name", "etcd"},
                       {"empty", ""},
                       {"Mixed_Case.name-1", "Value_1.x-y"},
                       {std::string(63, 'k'), std::string(63, 'v')}};
  auto r = client_->post(kConfigMaps, configmap("cm", labels));
  ASSERT_EQ(r.status, 201) << r.text;
  auto stored = server_.get("configmaps", "default", "cm");
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["metadata"]["labels"], labels);
}

TEST_F(ObjectMetaValidationTest, LabelValueLongerThan63IsRejected) {
  const std::string value(64, 'v');
  auto r = client_->post(kConfigMaps, configmap("cm", {{"k", value}}));
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["message"], "ConfigMap \"cm\" is invalid: metadata.labels: Invalid value: \"" +
                                   value + "\": must be no more than 63 characters");
}

TEST_F(ObjectMetaValidationTest, LabelKeysAreQualifiedNames) {
  const std::string long_name(64, 'n');
  auto r = client_->post(kConfigMaps, configmap("cm", {{"Example.com/app", "x"},
                                                       {"a/b/c", "x"},
                                                       {"bad key", "x"},
                                                       {"example.com/", "x"},
                                                       {long_name, "x"}}));
  ASSERT_EQ(r.status, 422) << r.text;
  // One cause per message, keys in sorted order.
  const std::string qualified_name_message =
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
      "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
      "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
      "subdomain prefix and '/' (e.g. 'example.com/MyName')";
  const std::vector<std::string> expected = {
      "metadata.labels|FieldValueInvalid|Invalid value: \"Example.com/app\": " + kPrefixMessage,
      "metadata.labels|FieldValueInvalid|Invalid value: \"a/b/c\": " + qualified_name_message,
      "metadata.labels|FieldValueInvalid|Invalid value: \"bad key\": " + kNamePartMessage,
      "metadata.labels|FieldValueInvalid|Invalid value: \"example.com/\": name part must be "
      "non-empty",
      "metadata.labels|FieldValueInvalid|Invalid value: \"example.com/\": " + kNamePartMessage,
      "metadata.labels|FieldValueInvalid|Invalid value: \"" + long_name +
          "\": name part must be no more than 63 characters",
  };
  EXPECT_EQ(causes(r), expected);
  const std::string message = r.body["message"];
  EXPECT_TRUE(
      message.starts_with("ConfigMap \"cm\" is invalid: [metadata.labels: Invalid value: "
                          "\"Example.com/app\": " +
                          kPrefixMessage + ", metadata.labels: Invalid value: \"a/b/c\""))
      << message;
  EXPECT_TRUE(message.ends_with("\": name part must be no more than 63 characters]")) << message;
}

TEST_F(ObjectMetaValidationTest, NameErrorsComeBeforeLabelErrors) {
  auto r = client_->post(kConfigMaps, configmap("Bad_Name", {{"k", "-v"}}));
  ASSERT_EQ(r.status, 422) << r.text;
  ASSERT_EQ(r.body["details"]["causes"].size(), 2u) << r.text;
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "metadata.name");
  EXPECT_EQ(r.body["details"]["causes"][1]["field"], "metadata.labels");
  EXPECT_EQ(r.body["details"]["causes"][1]["message"],
            "Invalid value: \"-v\": " + kLabelValueMessage);
}

TEST_F(ObjectMetaValidationTest, AnnotationKeysIgnoreCase) {
  // A label key's prefix must be lower case; an annotation key's need not.
  auto ok = client_->post(kConfigMaps, annotated("cm", {{"Example.COM/Some_Key", "any value!"}}));
  EXPECT_EQ(ok.status, 201) << ok.text;

  auto r = client_->post(kConfigMaps, annotated("cm2", {{"Bad Key", "v"}}));
  ASSERT_EQ(r.status, 422) << r.text;
  // The lowercased key is checked, the key as written is reported.
  EXPECT_EQ(r.body["message"],
            "ConfigMap \"cm2\" is invalid: metadata.annotations: Invalid value: \"Bad Key\": " +
                kNamePartMessage);
  EXPECT_EQ(causes(r), std::vector<std::string>{"metadata.annotations|FieldValueInvalid|Invalid "
                                                "value: \"Bad Key\": " +
                                                kNamePartMessage});
}

TEST_F(ObjectMetaValidationTest, AnnotationsAreLimitedTo256KiB) {
  // Keys and values count: "a" + value + "b" + value.
  const std::size_t limit = 256 * 1024;
  const std::string half((limit - 2) / 2, 'x');
  auto ok = client_->post(kConfigMaps, annotated("cm", {{"a", half}, {"b", half}}));
  EXPECT_EQ(ok.status, 201) << ok.text;

  auto r = client_->post(kConfigMaps, annotated("cm2", {{"a", half}, {"b", half + "x"}}));
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["message"],
            "ConfigMap \"cm2\" is invalid: metadata.annotations: Too long: may "
            "not be more than 262144 bytes");
  EXPECT_EQ(causes(r), std::vector<std::string>{"metadata.annotations|FieldValueTooLong|Too long: "
                                                "may not be more than 262144 bytes"});
  EXPECT_FALSE(server_.get("configmaps", "default", "cm2"));
}

TEST_F(ObjectMetaValidationTest, UpdateAndPatchAreValidated) {
  json created = create(kConfigMaps, configmap("cm", {{"app", "x"}}));
  const std::string path = std::string(kConfigMaps) + "/cm";

  json updated = created;
  updated["metadata"]["labels"]["app"] = "inv@lid";
  auto put = client_->put(path, updated);
  ASSERT_EQ(put.status, 422) << put.text;
  EXPECT_EQ(put.body["message"],
            "ConfigMap \"cm\" is invalid: metadata.labels: Invalid value: "
            "\"inv@lid\": " +
                kLabelValueMessage);

  auto merge = client_->patch(path, json{{"metadata", {{"labels", {{"app", "inv@lid"}}}}}});
  ASSERT_EQ(merge.status, 422) << merge.text;
  EXPECT_EQ(merge.body["message"], put.body["message"]);

  auto json_patch = client_->patch(
      path,
      json::array({{{"op", "add"}, {"path", "/metadata/annotations"}, {"value", {{"a b", ""}}}}}),
      "application/json-patch+json");
  ASSERT_EQ(json_patch.status, 422) << json_patch.text;
  EXPECT_EQ(json_patch.body["message"],
            "ConfigMap \"cm\" is invalid: metadata.annotations: Invalid value: \"a b\": " +
                kNamePartMessage);

  auto stored = server_.get("configmaps", "default", "cm");
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["metadata"]["labels"], json({{"app", "x"}}));
  EXPECT_FALSE((*stored)["metadata"].contains("annotations"));
  EXPECT_EQ((*stored)["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);

  auto fixed = client_->patch(path, json{{"metadata", {{"labels", {{"app", "y"}}}}}});
  EXPECT_EQ(fixed.status, 200) << fixed.text;
}

TEST_F(ObjectMetaValidationTest, CustomResourcesAreValidated) {
  create(kCrds, widget_crd());
  json widget = {{"apiVersion", "example.com/v1"},
                 {"kind", "Widget"},
                 {"metadata", {{"name", "w"}, {"namespace", "default"}}},
                 {"spec", {{"size", 1}}}};
  widget["metadata"]["labels"] = {{"custom", "inv@lid"}};
  auto r = client_->post(kWidgets, widget);
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["message"],
            "Widget.example.com \"w\" is invalid: metadata.labels: Invalid "
            "value: \"inv@lid\": " +
                kLabelValueMessage);
  EXPECT_EQ(r.body["details"]["group"], "example.com");
  EXPECT_EQ(r.body["details"]["kind"], "Widget");

  widget["metadata"]["labels"] = {{"custom", "valid"}};
  create(kWidgets, widget);
  auto patch = client_->patch(std::string(kWidgets) + "/w",
                              json{{"metadata", {{"annotations", {{"/x", "v"}}}}}});
  ASSERT_EQ(patch.status, 422) << patch.text;
  EXPECT_EQ(causes(patch),
            (std::vector<std::string>{
                "metadata.annotations|FieldValueInvalid|Invalid value: \"/x\": prefix part must "
                "be non-empty"}));
}

TEST_F(ObjectMetaValidationTest, DruidResourcesGetMetadataErrorsFirst) {
  install_druid_crds();
  json etcd = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
               {"kind", "Etcd"},
               {"metadata", {{"name", "etcd-test"}, {"namespace", "default"}}},
               {"spec", {{"replicas", -1}}}};
  etcd["metadata"]["labels"] = {{"k", "inv@lid"}};
  auto r = client_->post(kEtcds, etcd);
  ASSERT_EQ(r.status, 422) << r.text;
  ASSERT_GE(r.body["details"]["causes"].size(), 2u) << r.text;
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "metadata.labels") << r.text;
  const std::string message = r.body["message"];
  EXPECT_TRUE(
      message.starts_with("Etcd.druid.gardener.cloud \"etcd-test\" is invalid: "
                          "[metadata.labels: Invalid value: \"inv@lid\": " +
                          kLabelValueMessage + ", "))
      << message;
}

}  // namespace
}  // namespace druid::testing
