// Metadata semantics: system fields, generateName, resourceVersion, generation,
// optimistic concurrency and the error Statuses of a real server.

#include <gtest/gtest.h>

#include <regex>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

class MetadataTest : public ApiServerTest {};

TEST_F(MetadataTest, CreateSetsSystemFields) {
  auto r = client_->post(kConfigMaps, configmap("a"));
  ASSERT_EQ(r.status, 201) << r.text;
  const json& meta = r.body["metadata"];
  EXPECT_TRUE(std::regex_match(meta["uid"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")));
  EXPECT_TRUE(std::regex_match(meta["creationTimestamp"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_TRUE(meta["resourceVersion"].is_string());
  EXPECT_FALSE(meta.contains("generation")) << "ConfigMaps have no generation";
  EXPECT_EQ(r.body["kind"], "ConfigMap");
  EXPECT_EQ(r.body["apiVersion"], "v1");

  auto sts = client_->post(kStatefulSets, statefulset("s"));
  ASSERT_EQ(sts.status, 201) << sts.text;
  EXPECT_EQ(sts.body["metadata"]["generation"], 1);
}

TEST_F(MetadataTest, ResourceVersionIsOneGlobalCounter) {
  auto a = create(kConfigMaps, configmap("a"));
  auto s = create(kStatefulSets, statefulset("s"));
  auto b = create(kConfigMaps, configmap("b"));
  auto rv = [](const json& o) {
    return std::stoll(o["metadata"]["resourceVersion"].get<std::string>());
  };
  EXPECT_LT(rv(a), rv(s));
  EXPECT_LT(rv(s), rv(b));
}

TEST_F(MetadataTest, GenerateNameAppendsFiveCharacters) {
  json cm = configmap("");
  cm["metadata"].erase("name");
  cm["metadata"]["generateName"] = "gen-";
  auto r = client_->post(kConfigMaps, cm);
  ASSERT_EQ(r.status, 201) << r.text;
  EXPECT_TRUE(std::regex_match(r.body["metadata"]["name"].get<std::string>(),
                               std::regex("gen-[bcdfghjklmnpqrstvwxz2456789]{5}")));
}

TEST_F(MetadataTest, MissingNameIsInvalid) {
  json cm = configmap("");
  cm["metadata"].erase("name");
  auto r = client_->post(kConfigMaps, cm);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["message"],
            "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is "
            "required");
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "metadata.name");
  EXPECT_EQ(r.body["details"]["causes"][0]["reason"], "FieldValueRequired");
}

TEST_F(MetadataTest, MalformedNameIsInvalid) {
  auto r = client_->post(kConfigMaps, configmap("Not_Valid"));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body["message"].get<std::string>().find(
                "metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 subdomain"),
            std::string::npos)
      << r.text;
}

TEST_F(MetadataTest, ResourceVersionOnCreateIsRejected) {
  json cm = configmap("a");
  cm["metadata"]["resourceVersion"] = "5";
  auto r = client_->post(kConfigMaps, cm);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["message"], "resourceVersion should not be set on objects to be created");
}

TEST_F(MetadataTest, AlreadyExistsAndNotFoundMessages) {
  create(kConfigMaps, configmap("a"));
  auto dup = client_->post(kConfigMaps, configmap("a"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.body["reason"], "AlreadyExists");
  EXPECT_EQ(dup.body["message"], "configmaps \"a\" already exists");
  EXPECT_EQ(dup.body["details"], json({{"name", "a"}, {"kind", "configmaps"}}));

  auto missing = client_->get(std::string(kConfigMaps) + "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["message"], "configmaps \"nope\" not found");

  auto sts = client_->get(std::string(kStatefulSets) + "/nope");
  EXPECT_EQ(sts.status, 404);
  EXPECT_EQ(sts.body["message"], "statefulsets.apps \"nope\" not found");
  EXPECT_EQ(sts.body["details"]["group"], "apps");
  EXPECT_EQ(sts.body["kind"], "Status");
  EXPECT_EQ(sts.body["status"], "Failure");
  EXPECT_EQ(sts.body["code"], 404);
}

TEST_F(MetadataTest, UnknownPathIsNotFound) {
  auto r = client_->get("/apis/example.com/v1/widgets");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["message"], "the server could not find the requested resource");
}

TEST_F(MetadataTest, CreateInMissingNamespaceIsNotFound) {
  auto r = client_->post("/api/v1/namespaces/nope/configmaps", configmap("a", nullptr, "nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["message"], "namespaces \"nope\" not found");
}

TEST_F(MetadataTest, StaleResourceVersionConflicts) {
  json cm = create(kConfigMaps, configmap("a"));
  json first = cm;
  first["data"]["k"] = "1";
  auto ok = client_->put(std::string(kConfigMaps) + "/a", first);
  ASSERT_EQ(ok.status, 200) << ok.text;
  EXPECT_NE(ok.body["metadata"]["resourceVersion"], cm["metadata"]["resourceVersion"]);

  json stale = cm;
  stale["data"]["k"] = "2";
  auto conflict = client_->put(std::string(kConfigMaps) + "/a", stale);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body["reason"], "Conflict");
  EXPECT_EQ(conflict.body["message"],
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; "
            "please apply your changes to the latest version and try again");
  EXPECT_EQ(server_.get("configmaps", "default", "a")->at("data").at("k"), "1");
}

TEST_F(MetadataTest, UnconditionalUpdateDependsOnType) {
  json cm = create(kConfigMaps, configmap("a"));
  cm["metadata"].erase("resourceVersion");
  cm["data"]["k"] = "x";
  EXPECT_EQ(client_->put(std::string(kConfigMaps) + "/a", cm).status, 200);

  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "l"}, {"namespace", "default"}}},
                {"spec", {{"holderIdentity", "a"}}}};
  const std::string leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
  create(leases, lease);
  auto r = client_->put(leases + "/l", lease);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "Lease.coordination.k8s.io \"l\" is invalid: metadata.resourceVersion: Invalid value: "
            "0: must be specified for an update");
}

TEST_F(MetadataTest, PutCreatesWhenTheTypeAllowsIt) {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "l"}, {"namespace", "default"}}}};
  auto r = client_->put("/apis/coordination.k8s.io/v1/namespaces/default/leases/l", lease);
  EXPECT_EQ(r.status, 201) << r.text;
  auto cm = client_->put(std::string(kConfigMaps) + "/a", configmap("a"));
  EXPECT_EQ(cm.status, 404);
}

TEST_F(MetadataTest, UpdateKeepsSystemFieldsAndRejectsNameMismatch) {
  json cm = create(kConfigMaps, configmap("a"));
  json changed = cm;
  changed["metadata"]["creationTimestamp"] = "2000-01-01T00:00:00Z";
  changed["metadata"].erase("uid");
  changed["data"]["k"] = "2";
  auto r = client_->put(std::string(kConfigMaps) + "/a", changed);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["metadata"]["creationTimestamp"], cm["metadata"]["creationTimestamp"]);
  EXPECT_EQ(r.body["metadata"]["uid"], cm["metadata"]["uid"]);

  auto mismatch = client_->put(std::string(kConfigMaps) + "/b", r.body);
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(mismatch.body["message"],
            "the name of the object (a) does not match the name on the URL (b)");
}

TEST_F(MetadataTest, NoOpUpdateWritesNothing) {
  json cm = create(kConfigMaps, configmap("a"));
  const auto rv = server_.core().resource_version();
  auto r = client_->put(std::string(kConfigMaps) + "/a", cm);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["metadata"]["resourceVersion"], cm["metadata"]["resourceVersion"]);
  EXPECT_EQ(server_.core().resource_version(), rv);
}

TEST_F(MetadataTest, GenerationCountsSpecChangesOnly) {
  json sts = create(kStatefulSets, statefulset("s"));
  const std::string path = std::string(kStatefulSets) + "/s";
  auto labels = client_->patch(path, json{{"metadata", {{"labels", {{"x", "y"}}}}}});
  ASSERT_EQ(labels.status, 200) << labels.text;
  EXPECT_EQ(labels.body["metadata"]["generation"], 1);
  auto spec = client_->patch(path, json{{"spec", {{"replicas", 3}}}});
  ASSERT_EQ(spec.status, 200) << spec.text;
  EXPECT_EQ(spec.body["metadata"]["generation"], 2);
  auto status = client_->patch(path + "/status", json{{"status", {{"replicas", 3}}}});
  ASSERT_EQ(status.status, 200) << status.text;
  EXPECT_EQ(status.body["metadata"]["generation"], 2);
  // A client cannot set generation.
  json body = status.body;
  body["metadata"]["generation"] = 42;
  auto put = client_->put(path, body);
  EXPECT_EQ(put.body["metadata"]["generation"], 2);
}

TEST_F(MetadataTest, StatusSubresourceIsolatesSpecAndStatus) {
  create(kStatefulSets, statefulset("s"));
  const std::string path = std::string(kStatefulSets) + "/s";
  // Status through the main resource is ignored ...
  auto main =
      client_->patch(path, json{{"status", {{"replicas", 7}}}, {"spec", {{"replicas", 2}}}});
  ASSERT_EQ(main.status, 200);
  EXPECT_EQ(main.body["spec"]["replicas"], 2);
  EXPECT_FALSE(main.body["status"].contains("replicas"));
  // ... and spec through /status.
  auto status = client_->patch(path + "/status",
                               json{{"status", {{"replicas", 7}}}, {"spec", {{"replicas", 9}}}});
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["status"]["replicas"], 7);
  EXPECT_EQ(status.body["spec"]["replicas"], 2);
  // Metadata changes through /status are ignored too.
  auto meta = client_->patch(path + "/status", json{{"metadata", {{"labels", {{"a", "b"}}}}}});
  EXPECT_FALSE(meta.body["metadata"].contains("labels"));
  // Status is reset on create.
  json with_status = statefulset("t");
  with_status["status"] = {{"replicas", 5}};
  auto created = client_->post(kStatefulSets, with_status);
  EXPECT_FALSE(created.body["status"].contains("replicas"));
}

TEST_F(MetadataTest, StatefulSetSpecIsMostlyImmutable) {
  json sts = create(kStatefulSets, statefulset("s"));
  auto r =
      client_->patch(std::string(kStatefulSets) + "/s", json{{"spec", {{"serviceName", "other"}}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "StatefulSet.apps \"s\" is invalid: spec: Forbidden: updates to statefulset spec for "
            "fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
            "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
}

TEST_F(MetadataTest, DryRunStoresNothing) {
  auto r = client_->post(std::string(kConfigMaps) + "?dryRun=All", configmap("a"));
  EXPECT_EQ(r.status, 201);
  EXPECT_FALSE(server_.get("configmaps", "default", "a").has_value());
}

TEST_F(MetadataTest, ListsOfBuiltinsOmitItemTypes) {
  create(kConfigMaps, configmap("a"));
  auto r = client_->get(kConfigMaps);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["kind"], "ConfigMapList");
  EXPECT_EQ(r.body["apiVersion"], "v1");
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_FALSE(r.body["items"][0].contains("kind"));
  EXPECT_EQ(r.body["metadata"]["resourceVersion"],
            std::to_string(server_.core().resource_version()));
}

}  // namespace
}  // namespace druid::testing
