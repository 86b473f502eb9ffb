#include "apiserver/json_patch.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace druid::testing {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------
// RFC 6902

json apply_ok(const char* target, const char* patch) {
  auto result = apply_json_patch(json::parse(target), json::parse(patch));
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return result ? *result : json();
}

PatchError apply_error(const char* target, const char* patch) {
  auto result = apply_json_patch(json::parse(target), json::parse(patch));
  EXPECT_FALSE(result.has_value()) << *result;
  return result ? PatchError{} : result.error();
}

TEST(JsonPatchTest, RfcA1AddsAnObjectMember) {
  EXPECT_EQ(apply_ok(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])"),
            json::parse(R"({"baz":"qux","foo":"bar"})"));
}

TEST(JsonPatchTest, RfcA2AddsAnArrayElement) {
  EXPECT_EQ(apply_ok(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])"),
            json::parse(R"({"foo":["bar","qux","baz"]})"));
}

TEST(JsonPatchTest, RfcA3RemovesAnObjectMember) {
  EXPECT_EQ(apply_ok(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])"),
            json::parse(R"({"foo":"bar"})"));
}

TEST(JsonPatchTest, RfcA4RemovesAnArrayElement) {
  EXPECT_EQ(apply_ok(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])"),
            json::parse(R"({"foo":["bar","baz"]})"));
}

TEST(JsonPatchTest, RfcA5ReplacesAValue) {
  EXPECT_EQ(
      apply_ok(R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])"),
      json::parse(R"({"baz":"boo","foo":"bar"})"));
}

TEST(JsonPatchTest, RfcA6MovesAValue) {
  EXPECT_EQ(apply_ok(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                     R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"),
            json::parse(R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"));
}

TEST(JsonPatchTest, RfcA7MovesAnArrayElement) {
  EXPECT_EQ(apply_ok(R"({"foo":["all","grass","cows","eat"]})",
                     R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])"),
            json::parse(R"({"foo":["all","cows","eat","grass"]})"));
}

TEST(JsonPatchTest, RfcA8TestsSucceed) {
  const char* document = R"({"baz":"qux","foo":["a",2,"c"]})";
  EXPECT_EQ(apply_ok(document, R"([{"op":"test","path":"/baz","value":"qux"},
                                   {"op":"test","path":"/foo/1","value":2}])"),
            json::parse(document));
}

TEST(JsonPatchTest, RfcA9FailedTestIsUnprocessable) {
  PatchError error =
      apply_error(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])");
  EXPECT_EQ(error.kind, PatchErrorKind::kUnprocessable);
  EXPECT_EQ(error.message, "testing value /baz failed: test failed");
}

TEST(JsonPatchTest, RfcA10AddsANestedMemberObject) {
  EXPECT_EQ(
      apply_ok(R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])"),
      json::parse(R"({"foo":"bar","child":{"grandchild":{}}})"));
}

TEST(JsonPatchTest, RfcA11IgnoresUnrecognizedMembers) {
  EXPECT_EQ(apply_ok(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])"),
            json::parse(R"({"foo":"bar","baz":"qux"})"));
}

TEST(JsonPatchTest, RfcA12AddingToANonexistentTargetFails) {
  PatchError error =
      apply_error(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])");
  EXPECT_EQ(error.kind, PatchErrorKind::kUnprocessable);
  EXPECT_EQ(error.message,
            R"(add operation does not apply: doc is missing path: "/baz/bat": missing value)");
}

TEST(JsonPatchTest, RfcA14EscapesTildeAndSlash) {
  const char* document = R"({"/":9,"~1":10})";
  EXPECT_EQ(apply_ok(document, R"([{"op":"test","path":"/~01","value":10}])"),
            json::parse(document));
  EXPECT_EQ(apply_ok(document, R"([{"op":"replace","path":"/~1","value":1}])"),
            json::parse(R"({"/":1,"~1":10})"));
}

TEST(JsonPatchTest, RfcA15StringsAndNumbersDiffer) {
  PatchError error =
      apply_error(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])");
  EXPECT_EQ(error.message, "testing value /~01 failed: test failed");
}

TEST(JsonPatchTest, RfcA16AppendsAnArrayValueWithDash) {
  EXPECT_EQ(
      apply_ok(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])"),
      json::parse(R"({"foo":["bar",["abc","def"]]})"));
}

TEST(JsonPatchTest, CopiesValues) {
  EXPECT_EQ(apply_ok(R"({"a":{"b":[1]}})", R"([{"op":"copy","from":"/a/b","path":"/c"}])"),
            json::parse(R"({"a":{"b":[1]},"c":[1]})"));
}

TEST(JsonPatchTest, OperationsApplyInOrderOnKubernetesObjects) {
  json result = apply_ok(R"({"metadata":{"name":"x","labels":{"app.kubernetes.io/name":"etcd"}},
                              "spec":{"replicas":1}})",
                         R"([{"op":"test","path":"/spec/replicas","value":1},
                             {"op":"replace","path":"/spec/replicas","value":3},
                             {"op":"add","path":"/metadata/labels/app.kubernetes.io~1part-of","value":"main"},
                             {"op":"remove","path":"/metadata/labels/app.kubernetes.io~1name"}])");
  EXPECT_EQ(result,
            json::parse(R"({"metadata":{"name":"x","labels":{"app.kubernetes.io/part-of":"main"}},
                                    "spec":{"replicas":3}})"));
}

TEST(JsonPatchTest, NegativeIndicesCountFromTheEnd) {
  EXPECT_EQ(apply_ok(R"({"a":[1,2,3]})", R"([{"op":"remove","path":"/a/-1"}])"),
            json::parse(R"({"a":[1,2]})"));
}

TEST(JsonPatchTest, ReplaceOfAnAbsentMemberAddsItAsTheApiServerDoes) {
  EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"replace","path":"/b","value":2}])"),
            json::parse(R"({"a":1,"b":2})"));
}

TEST(JsonPatchTest, ErrorsCarryTheApiServerMessages) {
  EXPECT_EQ(
      apply_error(R"({"a":{}})", R"([{"op":"remove","path":"/a/nope"}])").message,
      "error in remove for path: '/a/nope': Unable to remove nonexistent key: nope: missing value");
  EXPECT_EQ(
      apply_error(R"({"a":[1]})", R"([{"op":"add","path":"/a/5","value":0}])").message,
      "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced");
  EXPECT_EQ(apply_error(R"({"a":[1]})", R"([{"op":"replace","path":"/a/3","value":0}])").message,
            "replace operation does not apply: doc is missing key: /a/3: missing value");
  EXPECT_EQ(apply_error(R"({"a":[1]})", R"([{"op":"add","path":"/a/x","value":0}])").message,
            "error in add for path: '/a/x': value was not a proper array index: 'x': "
            "strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(apply_error(R"({})", R"([{"op":"remove","path":"/x/y"}])").message,
            R"(remove operation does not apply: doc is missing path: "/x/y": missing value)");
  EXPECT_EQ(apply_error(R"({})", R"([{"op":"move","from":"/x/y","path":"/z"}])").message,
            "move operation does not apply: doc is missing from path: /x/y: missing value");
  EXPECT_EQ(apply_error(R"({})", R"([{"op":"frobnicate","path":"/x"}])").message,
            "Unexpected kind: frobnicate");
  EXPECT_EQ(apply_error(R"({})", R"([{"op":"add","value":1}])").message,
            "add operation failed to decode path: missing value");
}

TEST(JsonPatchTest, AFailingOperationLeavesNoPartialResult) {
  auto result = apply_json_patch(json::parse(R"({"a":1})"),
                                 json::parse(R"([{"op":"replace","path":"/a","value":2},
                                                                           {"op":"test","path":"/a","value":1}])"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "testing value /a failed: test failed");
}

TEST(JsonPatchTest, APatchThatIsNotAListIsABadRequest) {
  auto result =
      apply_json_patch(json::object(), json::parse(R"({"op":"add","path":"/a","value":1})"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, PatchErrorKind::kBadRequest);
  EXPECT_EQ(result.error().message,
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch");

  result = apply_json_patch(json::object(), json::parse(R"(["add"])"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, PatchErrorKind::kBadRequest);
  EXPECT_EQ(result.error().message,
            "json: cannot unmarshal string into Go value of type jsonpatch.Operation");
}

TEST(JsonPatchTest, TooManyOperationsAreRefused) {
  json patch = json::array();
  for (std::size_t i = 0; i <= kMaxJsonPatchOperations; ++i) {
    patch.push_back({{"op", "test"}, {"path", "/a"}, {"value", 1}});
  }
  auto result = apply_json_patch(json::parse(R"({"a":1})"), patch);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, PatchErrorKind::kTooLarge);
  EXPECT_EQ(result.error().message,
            "The allowed maximum operations in a JSON patch is 10000, got 10001");
}

}  // namespace
}  // namespace druid::testing
