#include "kube/patch.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace druid::kube {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------
// RFC 7386

struct MergeCase {
  const char* original;
  const char* patch;
  const char* result;
};

// RFC 7386, Appendix A, every row.
const std::vector<MergeCase> kRfc7386Examples = {
    {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
    {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
    {R"({"a":"b"})", R"({"a":null})", R"({})"},
    {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
    {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
    {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
    {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
    {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
    {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
    {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
    {R"({"a":"foo"})", R"(null)", R"(null)"},
    {R"({"a":"foo"})", R"("bar")", R"("bar")"},
    {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
    {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
    {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
};

TEST(MergePatchTest, AppliesEveryRfc7386Example) {
  for (const MergeCase& example : kRfc7386Examples) {
    EXPECT_EQ(apply_merge_patch(json::parse(example.original), json::parse(example.patch)),
              json::parse(example.result))
        << example.original << " + " << example.patch;
  }
}

TEST(MergePatchTest, ArraysInsideThePatchAreKeptVerbatim) {
  json result = apply_merge_patch(json::parse(R"({"spec":{"args":["a"]}})"),
                                  json::parse(R"({"spec":{"args":[null,{"x":null}]}})"));
  EXPECT_EQ(result, json::parse(R"({"spec":{"args":[null,{"x":null}]}})"));
}

TEST(CreateMergePatchTest, EqualObjectsGiveAnEmptyPatch) {
  json object =
      json::parse(R"({"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"replicas":3}})");
  EXPECT_EQ(create_merge_patch(object, object), json::object());
}

TEST(CreateMergePatchTest, ProducesTheMinimalPatch) {
  json original = json::parse(R"({
    "metadata": {"name": "cm", "labels": {"a": "1", "b": "2"}},
    "data": {"keep": "x", "change": "old"},
    "spec": {"replicas": 1, "ports": [80, 443]}})");
  json modified = json::parse(R"({
    "metadata": {"name": "cm", "labels": {"a": "1", "c": "3"}},
    "data": {"keep": "x", "change": "new"},
    "spec": {"replicas": 3, "ports": [80]}})");
  EXPECT_EQ(create_merge_patch(original, modified), json::parse(R"({
    "metadata": {"labels": {"b": null, "c": "3"}},
    "data": {"change": "new"},
    "spec": {"replicas": 3, "ports": [80]}})"));
}

TEST(CreateMergePatchTest, ReplacesValuesWhoseTypeChanged) {
  EXPECT_EQ(create_merge_patch(json::parse(R"({"a":{"b":1}})"), json::parse(R"({"a":"x"})")),
            json::parse(R"({"a":"x"})"));
  EXPECT_EQ(create_merge_patch(json::parse(R"({"a":"x"})"), json::parse(R"({"a":{"b":1}})")),
            json::parse(R"({"a":{"b":1}})"));
}

TEST(CreateMergePatchTest, AppliedPatchTurnsOriginalIntoModified) {
  const std::vector<std::pair<const char*, const char*>> pairs = {
      {R"({"a":1})", R"({"b":2})"},
      {R"({"a":{"b":{"c":1,"d":2}}})", R"({"a":{"b":{"c":1}},"e":[1,2]})"},
      {R"({"a":[{"x":1}],"b":true})", R"({"a":[{"x":2}],"b":false})"},
      {R"({})", R"({"deep":{"er":{"est":"v"}}})"},
  };
  for (const auto& [original, modified] : pairs) {
    json patch = create_merge_patch(json::parse(original), json::parse(modified));
    EXPECT_EQ(apply_merge_patch(json::parse(original), patch), json::parse(modified)) << patch;
  }
}

}  // namespace
}  // namespace druid::kube
