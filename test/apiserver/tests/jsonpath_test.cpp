#include "apiserver/jsonpath.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace druid::testing {
namespace {

using nlohmann::json;

const json kEtcd = json::parse(R"({
  "apiVersion": "druid.gardener.cloud/v1alpha1",
  "kind": "Etcd",
  "metadata": {
    "name": "etcd-main",
    "labels": {"app.kubernetes.io/name": "etcd", "app": "x"},
    "creationTimestamp": "2024-05-01T10:00:00Z"
  },
  "spec": {"replicas": 3, "ratio": 0.5},
  "status": {
    "ready": true,
    "readyReplicas": 3,
    "conditions": [
      {"type": "Ready", "status": "True", "observedGeneration": 2},
      {"type": "AllMembersReady", "status": "False", "observedGeneration": 1},
      {"type": "BackupReady", "status": "Unknown"}
    ],
    "members": [{"name": "m0", "role": "Leader"}, {"name": "m1", "role": "Member"}, {"name": "m2"}]
  }
})");

std::vector<json> eval(std::string_view path, const json& root = kEtcd) {
  auto result = evaluate_jsonpath(path, root);
  EXPECT_TRUE(result.has_value()) << path << ": " << (result ? "" : result.error());
  return result ? *result : std::vector<json>{};
}

std::string eval_error(std::string_view path, const json& root = kEtcd,
                       bool allow_missing_keys = true) {
  auto parsed = JsonPath::parse(path);
  if (!parsed) return parsed.error();
  auto result = parsed->evaluate(root, allow_missing_keys);
  EXPECT_FALSE(result.has_value()) << path;
  return result ? std::string() : result.error();
}

TEST(JsonPathTest, SelectsFields) {
  EXPECT_EQ(eval(".metadata.name"), std::vector<json>{"etcd-main"});
  EXPECT_EQ(eval(".spec.replicas"), std::vector<json>{3});
  EXPECT_EQ(eval(".status.ready"), std::vector<json>{true});
  EXPECT_EQ(eval(".spec"), std::vector<json>{kEtcd["spec"]});
}

TEST(JsonPathTest, AcceptsTheTemplateBracesAndTheRootMarker) {
  EXPECT_EQ(eval("{.metadata.name}"), std::vector<json>{"etcd-main"});
  EXPECT_EQ(eval("$.metadata.name"), std::vector<json>{"etcd-main"});
  EXPECT_EQ(eval("{$.metadata.name}"), std::vector<json>{"etcd-main"});
}

TEST(JsonPathTest, IndexesAndSlicesArrays) {
  EXPECT_EQ(eval(".status.members[0].name"), std::vector<json>{"m0"});
  EXPECT_EQ(eval(".status.members[-1].name"), std::vector<json>{"m2"});
  EXPECT_EQ(eval(".status.members[1:3].name"), (std::vector<json>{"m1", "m2"}));
  EXPECT_EQ(eval(".status.members[0:3:2].name"), (std::vector<json>{"m0", "m2"}));
}

TEST(JsonPathTest, WildcardOverArrayItems) {
  EXPECT_EQ(eval(".status.members[*].name"), (std::vector<json>{"m0", "m1", "m2"}));
  // Items without the field give nothing (missing keys are allowed).
  EXPECT_EQ(eval(".status.members[*].role"), (std::vector<json>{"Leader", "Member"}));
  EXPECT_EQ(eval(".spec.*"), (std::vector<json>{0.5, 3}));
}

TEST(JsonPathTest, EvaluatesTheEtcdPrinterColumns) {
  EXPECT_EQ(eval(R"(.status.conditions[?(@.type=="Ready")].status)"), std::vector<json>{"True"});
  EXPECT_EQ(eval(R"(.status.conditions[?(@.type=="AllMembersReady")].status)"),
            std::vector<json>{"False"});
  EXPECT_EQ(eval(R"(.status.conditions[?(@.type=="BackupReady")].status)"),
            std::vector<json>{"Unknown"});
  EXPECT_EQ(eval(R"(.status.conditions[?(@.type=="ClusterIDMismatch")].status)"),
            std::vector<json>{});
  EXPECT_EQ(eval(".status.readyReplicas"), std::vector<json>{3});
  EXPECT_EQ(eval(".status.currentReplicas"), std::vector<json>{});
}

TEST(JsonPathTest, FiltersCompareStringsNumbersAndBooleans) {
  EXPECT_EQ(eval(R"(.status.conditions[?(@.type!="Ready")].type)"),
            (std::vector<json>{"AllMembersReady", "BackupReady"}));
  EXPECT_EQ(eval(".status.conditions[?(@.observedGeneration==2)].type"),
            std::vector<json>{"Ready"});
  EXPECT_EQ(eval(".status.conditions[?(@.observedGeneration<2)].type"),
            std::vector<json>{"AllMembersReady"});
  EXPECT_EQ(eval(".status.conditions[?(@.observedGeneration>=1)].type"),
            (std::vector<json>{"Ready", "AllMembersReady"}));
  EXPECT_EQ(eval("[?(@.ok==true)].n", json::parse(R"([{"n":1,"ok":true},{"n":2,"ok":false}])")),
            std::vector<json>{1});
  EXPECT_EQ(eval("[?(@.name=='m1')].name", kEtcd["status"]["members"]), std::vector<json>{"m1"});
  EXPECT_EQ(eval(R"(.status.conditions[?( @.type == "Ready" )].status)"),
            std::vector<json>{"True"});
}

TEST(JsonPathTest, FilterWithoutOperatorTestsExistence) {
  EXPECT_EQ(eval(".status.members[?(@.role)].name"), (std::vector<json>{"m0", "m1"}));
}

TEST(JsonPathTest, BracketKeysAndEscapedDots) {
  EXPECT_EQ(eval(".metadata.labels.app\\.kubernetes\\.io/name"), std::vector<json>{"etcd"});
  EXPECT_EQ(eval(".metadata.labels['app\\.kubernetes\\.io/name']"), std::vector<json>{"etcd"});
  EXPECT_EQ(eval(".metadata['labels']['app']"), std::vector<json>{"x"});
  // As in Kubernetes, the bracket form splits on unescaped dots.
  EXPECT_EQ(eval("['metadata.name']"), std::vector<json>{"etcd-main"});
  EXPECT_EQ(eval_error(R"(.metadata.labels["app.kubernetes.io/name"])"),
            R"(invalid array index "app.kubernetes.io/name")");
}

TEST(JsonPathTest, UnionsAndRecursiveDescent) {
  EXPECT_EQ(eval(".status.members[0,2].name"), (std::vector<json>{"m0", "m2"}));
  EXPECT_EQ(eval(".metadata['name','creationTimestamp']"),
            (std::vector<json>{"etcd-main", "2024-05-01T10:00:00Z"}));
  EXPECT_EQ(eval("..role"), (std::vector<json>{"Leader", "Member"}));
}

TEST(JsonPathTest, MissingKeysAreEmptyOrAnError) {
  EXPECT_EQ(eval(".status.nope.deeper"), std::vector<json>{});
  EXPECT_EQ(eval_error(".status.nope", kEtcd, false), "nope is not found");
}

TEST(JsonPathTest, EvaluationErrorsAreKubernetes) {
  EXPECT_EQ(eval_error(".status.members[5]"), "array index out of bounds: index 5, length 3");
  EXPECT_EQ(eval_error(".spec[0]"), "map[string]interface {} is not array or slice");
  EXPECT_EQ(eval_error(R"(.spec[?(@.a=="b")])"),
            "map[ratio:0.5 replicas:3] is not array or slice and cannot be filtered");
  EXPECT_EQ(eval_error(R"(.status.conditions[?(@.observedGeneration=="2")].type)"),
            "incompatible types for comparison");
  // Go's int64 and float64 are different types.
  EXPECT_EQ(eval_error(".status.conditions[?(@.observedGeneration==2.0)].type"),
            "incompatible types for comparison");
  EXPECT_EQ(eval_error(R"(.status.conditions[?(@.type="Ready")].type)"),
            "unrecognized filter operator =");
  EXPECT_EQ(eval_error(".status.conditions[?(@.type==Ready)].type"),
            "unrecognized identifier Ready");
  EXPECT_EQ(eval_error("{range .items[*]}{.x}{end}", json::parse(R"({"items":[]})")),
            "range is not supported by this JSONPath evaluator");
}

TEST(JsonPathTest, ParseErrorsAreKubernetes) {
  EXPECT_EQ(JsonPath::parse(".a[?(@.b==\"c\"").error(), "unterminated filter");
  EXPECT_EQ(JsonPath::parse("{.a").error(), "unclosed action");
  EXPECT_EQ(JsonPath::parse(".a[").error(), "unterminated array");
  EXPECT_EQ(JsonPath::parse(".a[x]").error(), "invalid array index x");
  EXPECT_EQ(JsonPath::parse(".a #").error(), "unrecognized character in action: U+0023 '#'");
  EXPECT_EQ(JsonPath::parse("....a").error(), "invalid multiple recursive descent");
}

TEST(JsonPathTest, TextOutsideBracesIsLiteral) {
  EXPECT_EQ(eval("name={.metadata.name}"), (std::vector<json>{"name=", "etcd-main"}));
}

TEST(JsonPathTest, PrintsResultsAsKubernetes) {
  EXPECT_EQ(print_jsonpath_value("text"), "text");
  EXPECT_EQ(print_jsonpath_value(true), "true");
  EXPECT_EQ(print_jsonpath_value(3), "3");
  EXPECT_EQ(print_jsonpath_value(0.5), "0.5");
  EXPECT_EQ(print_jsonpath_value(1e6), "1e+06");
  EXPECT_EQ(print_jsonpath_value(123456.0), "123456");
  EXPECT_EQ(print_jsonpath_value(1.5e-7), "1.5e-07");
  EXPECT_EQ(print_jsonpath_value(nullptr), "<nil>");
  EXPECT_EQ(print_jsonpath_value(json::parse(R"({"b":[1,2.5,1e-7],"a":"<&>"})")),
            R"({"a":"\u003c\u0026\u003e","b":[1,2.5,1e-7]})");
}

TEST(JsonPathTest, GoSprintPrintsMapsLikeGo) {
  EXPECT_EQ(go_sprint(json::parse(R"({"b":["x","y"],"a":1,"c":null})")),
            "map[a:1 b:[x y] c:<nil>]");
}

}  // namespace
}  // namespace druid::testing
