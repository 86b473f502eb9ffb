// Deletion: finalizers, owner references with background, foreground and
// orphan propagation (as the garbage collector does), namespaces, delete
// preconditions and deletecollection.

#include <gtest/gtest.h>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

class LifecycleTest : public ApiServerTest {
 protected:
  json owned_configmap(const std::string& name, const json& owner, bool block = false) {
    json cm = configmap(name);
    cm["metadata"]["ownerReferences"] = json::array({{{"apiVersion", owner["apiVersion"]},
                                                      {"kind", owner["kind"]},
                                                      {"name", owner["metadata"]["name"]},
                                                      {"uid", owner["metadata"]["uid"]},
                                                      {"blockOwnerDeletion", block}}});
    return create(kConfigMaps, cm);
  }
  bool exists(const std::string& resource, const std::string& name,
              const std::string& ns = "default") {
    return server_.get(resource, ns, name).has_value();
  }
  std::string path(const std::string& name) { return std::string(kConfigMaps) + "/" + name; }
};

TEST_F(LifecycleTest, DeleteWithoutFinalizersRemovesAtOnce) {
  json cm = create(kConfigMaps, configmap("a"));
  auto r = client_->del(path("a"));
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["kind"], "Status");
  EXPECT_EQ(r.body["status"], "Success");
  EXPECT_EQ(r.body["details"]["uid"], cm["metadata"]["uid"]);
  EXPECT_FALSE(exists("configmaps", "a"));
  EXPECT_EQ(client_->del(path("a")).status, 404);
}

TEST_F(LifecycleTest, FinalizersDelayDeletionUntilRemoved) {
  json cm = configmap("a");
  cm["metadata"]["finalizers"] = {"example.com/keep", "example.com/second"};
  create(kConfigMaps, cm);
  auto r = client_->del(path("a"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["kind"], "ConfigMap");
  EXPECT_TRUE(r.body["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(r.body["metadata"]["deletionGracePeriodSeconds"], 0);
  ASSERT_TRUE(exists("configmaps", "a"));

  // No new finalizers on an object being deleted.
  auto add = client_->patch(
      path("a"),
      json{{"metadata",
            {{"finalizers", {"example.com/keep", "example.com/second", "example.com/new"}}}}});
  EXPECT_EQ(add.status, 422);
  EXPECT_NE(add.body["message"].get<std::string>().find(
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object is "
                "being deleted"),
            std::string::npos)
      << add.text;

  auto first =
      client_->patch(path("a"), json{{"metadata", {{"finalizers", {"example.com/second"}}}}});
  ASSERT_EQ(first.status, 200);
  EXPECT_TRUE(exists("configmaps", "a"));
  auto last = client_->patch(path("a"), json{{"metadata", {{"finalizers", nullptr}}}});
  ASSERT_EQ(last.status, 200) << last.text;
  EXPECT_FALSE(exists("configmaps", "a"));
}

TEST_F(LifecycleTest, DeletionBumpsGenerationOnce) {
  json sts = statefulset("s");
  sts["metadata"]["finalizers"] = {"example.com/keep"};
  create(kStatefulSets, sts);
  auto r = client_->del(std::string(kStatefulSets) + "/s");
  EXPECT_EQ(r.body["metadata"]["generation"], 2);
  auto again = client_->del(std::string(kStatefulSets) + "/s");
  EXPECT_EQ(again.body["metadata"]["generation"], 2);
  EXPECT_EQ(again.body["metadata"]["deletionTimestamp"], r.body["metadata"]["deletionTimestamp"]);
}

TEST_F(LifecycleTest, BackgroundDeletionRemovesDependentsAfterTheOwner) {
  json owner = create(kStatefulSets, statefulset("owner"));
  owned_configmap("dep1", owner);
  owned_configmap("dep2", owner);
  create(kConfigMaps, configmap("unrelated"));
  auto r = client_->del(std::string(kStatefulSets) + "/owner");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(exists("statefulsets.apps", "owner"));
  EXPECT_FALSE(exists("configmaps", "dep1"));
  EXPECT_FALSE(exists("configmaps", "dep2"));
  EXPECT_TRUE(exists("configmaps", "unrelated"));
}

TEST_F(LifecycleTest, DependentWithAnotherOwnerLosesOnlyTheDanglingReference) {
  json a = create(kStatefulSets, statefulset("a"));
  json b = create(kStatefulSets, statefulset("b"));
  json cm = configmap("shared");
  for (const json* owner : {&a, &b}) {
    cm["metadata"]["ownerReferences"].push_back({{"apiVersion", "apps/v1"},
                                                 {"kind", "StatefulSet"},
                                                 {"name", (*owner)["metadata"]["name"]},
                                                 {"uid", (*owner)["metadata"]["uid"]}});
  }
  create(kConfigMaps, cm);
  client_->del(std::string(kStatefulSets) + "/a");
  auto shared = server_.get("configmaps", "default", "shared");
  ASSERT_TRUE(shared);
  ASSERT_EQ((*shared)["metadata"]["ownerReferences"].size(), 1u);
  EXPECT_EQ((*shared)["metadata"]["ownerReferences"][0]["name"], "b");
}

TEST_F(LifecycleTest, ForegroundDeletionWaitsForBlockingDependents) {
  json owner = create(kStatefulSets, statefulset("owner"));
  json dep = configmap("dep");
  dep["metadata"]["finalizers"] = {"example.com/keep"};
  dep["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "apps/v1"},
                                                     {"kind", "StatefulSet"},
                                                     {"name", "owner"},
                                                     {"uid", owner["metadata"]["uid"]},
                                                     {"blockOwnerDeletion", true}}});
  create(kConfigMaps, dep);
  auto r = client_->del(
      std::string(kStatefulSets) + "/owner",
      json{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Foreground"}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
  auto waiting = server_.get("statefulsets.apps", "default", "owner");
  ASSERT_TRUE(waiting) << "the owner waits for its dependent";
  auto dependent = server_.get("configmaps", "default", "dep");
  ASSERT_TRUE(dependent);
  EXPECT_TRUE((*dependent)["metadata"].contains("deletionTimestamp"));
  // The dependent's finalizer goes: the dependent, then the owner, go.
  client_->patch(path("dep"), json{{"metadata", {{"finalizers", nullptr}}}});
  EXPECT_FALSE(exists("configmaps", "dep"));
  EXPECT_FALSE(exists("statefulsets.apps", "owner"));
}

TEST_F(LifecycleTest, OrphanDeletionKeepsDependentsWithoutTheReference) {
  json owner = create(kStatefulSets, statefulset("owner"));
  owned_configmap("dep", owner);
  auto r = client_->del(std::string(kStatefulSets) + "/owner?propagationPolicy=Orphan");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(exists("statefulsets.apps", "owner"));
  auto dep = server_.get("configmaps", "default", "dep");
  ASSERT_TRUE(dep);
  EXPECT_FALSE((*dep)["metadata"].contains("ownerReferences"));
}

TEST_F(LifecycleTest, InvalidPropagationPolicy) {
  create(kConfigMaps, configmap("a"));
  auto r = client_->del(path("a"), json{{"propagationPolicy", "Sometimes"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: "
            "\"Sometimes\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
}

TEST_F(LifecycleTest, DeletePreconditions) {
  json cm = create(kConfigMaps, configmap("a"));
  auto wrong = client_->del(path("a"), json{{"preconditions", {{"uid", "other"}}}});
  EXPECT_EQ(wrong.status, 409);
  EXPECT_EQ(wrong.body["message"],
            "Operation cannot be fulfilled on configmaps \"a\": Precondition failed: UID in "
            "precondition: other, UID in object meta: " +
                cm["metadata"]["uid"].get<std::string>());
  auto right =
      client_->del(path("a"), json{{"preconditions",
                                    {{"uid", cm["metadata"]["uid"]},
                                     {"resourceVersion", cm["metadata"]["resourceVersion"]}}}});
  EXPECT_EQ(right.status, 200);
}

TEST_F(LifecycleTest, NamespaceDeletionTakesItsContent) {
  create("/api/v1/namespaces",
         json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "gone"}}}});
  create("/api/v1/namespaces/gone/configmaps", configmap("a", nullptr, "gone"));
  json kept = configmap("kept", nullptr, "gone");
  kept["metadata"]["finalizers"] = {"example.com/keep"};
  create("/api/v1/namespaces/gone/configmaps", kept);
  auto r = client_->del("/api/v1/namespaces/gone");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"]["phase"], "Terminating");
  EXPECT_FALSE(exists("configmaps", "a", "gone"));
  EXPECT_TRUE(exists("namespaces", "gone", ""));
  auto refused =
      client_->post("/api/v1/namespaces/gone/configmaps", configmap("new", nullptr, "gone"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body["message"],
            "configmaps \"new\" is forbidden: unable to create new content in namespace gone "
            "because it is being terminated");
  client_->patch("/api/v1/namespaces/gone/configmaps/kept",
                 json{{"metadata", {{"finalizers", nullptr}}}});
  EXPECT_FALSE(exists("namespaces", "gone", ""));
}

TEST_F(LifecycleTest, SystemNamespacesCannotBeDeleted) {
  auto r = client_->del("/api/v1/namespaces/default");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body["message"],
            "namespaces \"default\" is forbidden: this namespace may not be deleted");
}

TEST_F(LifecycleTest, DeleteCollectionBySelector) {
  create(kConfigMaps, configmap("a", {{"app", "x"}}));
  create(kConfigMaps, configmap("b", {{"app", "x"}}));
  create(kConfigMaps, configmap("c", {{"app", "y"}}));
  auto r = client_->del(std::string(kConfigMaps) + "?labelSelector=app%3Dx");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["kind"], "ConfigMapList");
  EXPECT_EQ(r.body["items"].size(), 2u);
  EXPECT_FALSE(exists("configmaps", "a"));
  EXPECT_FALSE(exists("configmaps", "b"));
  EXPECT_TRUE(exists("configmaps", "c"));
}

}  // namespace
}  // namespace druid::testing
