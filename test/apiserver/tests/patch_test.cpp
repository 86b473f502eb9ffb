// PATCH: merge, JSON and strategic merge patches, their failures, and patches
// carrying a resourceVersion.

#include <gtest/gtest.h>

#include "apiserver/patch_adapter.hpp"
#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

class PatchTest : public ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    json cm = configmap("a", {{"app", "x"}});
    cm["data"] = {{"one", "1"}, {"two", "2"}};
    create(kConfigMaps, cm);
  }
  std::string path() { return std::string(kConfigMaps) + "/a"; }
};

TEST_F(PatchTest, MergePatchMergesAndDeletesWithNull) {
  auto r = client_->patch(path(), json{{"data", {{"one", nullptr}, {"three", "3"}}}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["data"], json({{"two", "2"}, {"three", "3"}}));
}

TEST_F(PatchTest, JsonPatchAppliesOperations) {
  auto r = client_->patch(path(),
                          json::array({{{"op", "test"}, {"path", "/data/one"}, {"value", "1"}},
                                       {{"op", "replace"}, {"path", "/data/one"}, {"value", "uno"}},
                                       {{"op", "remove"}, {"path", "/data/two"}}}),
                          "application/json-patch+json");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["data"], json({{"one", "uno"}}));
}

TEST_F(PatchTest, FailedJsonPatchTestIsUnprocessable) {
  auto r =
      client_->patch(path(), json::array({{{"op", "test"}, {"path", "/data/one"}, {"value", "9"}}}),
                     "application/json-patch+json");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["message"], "the server rejected our request due to an error in our request");
  EXPECT_EQ(r.body["details"]["causes"][0]["reason"], "UnexpectedServerResponse");
}

TEST_F(PatchTest, StrategicMergePatchOfBuiltins) {
  auto r = client_->patch(path(), json{{"metadata", {{"labels", {{"tier", "db"}}}}}},
                          "application/strategic-merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["metadata"]["labels"], json({{"app", "x"}, {"tier", "db"}}));
}

TEST_F(PatchTest, StrategicMergePatchMergesListsByKey) {
  create(kStatefulSets, statefulset("s"));
  json sidecar = {{"name", "sidecar"}, {"image", "proxy"}};
  json patch = {
      {"spec",
       {{"template",
         {{"spec",
           {{"containers", json::array({{{"name", "c"}, {"image", "busybox:2"}}, sidecar})}}}}}}}};
  auto r = client_->patch(std::string(kStatefulSets) + "/s", patch,
                          "application/strategic-merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.text;
  const json& containers = r.body["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0], json({{"name", "c"}, {"image", "busybox:2"}}));
  EXPECT_EQ(containers[1], sidecar);
  auto removed = client_->patch(
      std::string(kStatefulSets) + "/s",
      json{{"spec",
            {{"template",
              {{"spec",
                {{"containers", json::array({{{"name", "sidecar"}, {"$patch", "delete"}}})}}}}}}}},
      "application/strategic-merge-patch+json");
  ASSERT_EQ(removed.status, 200) << removed.text;
  EXPECT_EQ(removed.body["spec"]["template"]["spec"]["containers"].size(), 1u);
}

TEST_F(PatchTest, UnknownContentTypeIsUnsupported) {
  auto r = client_->patch(path(), json{{"data", {{"one", "x"}}}}, "text/plain");
  EXPECT_EQ(r.status, 415);
}

TEST_F(PatchTest, PatchWithStaleResourceVersionConflicts) {
  auto r = client_->patch(path(),
                          json{{"metadata", {{"resourceVersion", "1"}}}, {"data", {{"one", "x"}}}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body["reason"], "Conflict");
}

TEST_F(PatchTest, PatchOfMissingObjectIsNotFound) {
  auto r = client_->patch(std::string(kConfigMaps) + "/missing", json{{"data", {{"one", "x"}}}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["message"], "configmaps \"missing\" not found");
}

TEST_F(PatchTest, ApplyPatchCreatesAndMerges) {
  auto created = client_->patch(
      std::string(kConfigMaps) + "/applied?fieldManager=test",
      std::string("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n"),
      "application/apply-patch+yaml");
  EXPECT_EQ(created.status, 201) << created.text;
  auto merged = client_->patch(
      std::string(kConfigMaps) + "/applied?fieldManager=test",
      std::string("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k2: v2\n"),
      "application/apply-patch+yaml");
  ASSERT_EQ(merged.status, 200) << merged.text;
  EXPECT_EQ(merged.body["data"], json({{"k", "v"}, {"k2", "v2"}}));
}

}  // namespace
}  // namespace druid::testing
