#include "apiserver/strategic_merge.hpp"

#include <gtest/gtest.h>

#include <string>

namespace druid::testing {
namespace {

using nlohmann::json;

json apply_ok(const json& target, const char* patch, std::string_view group,
              std::string_view kind) {
  auto result =
      apply_strategic_merge_patch(target, json::parse(patch), builtin_patch_meta(group, kind));
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return result ? *result : json();
}

PatchError apply_error(const json& target, const char* patch, std::string_view group,
                       std::string_view kind) {
  auto result =
      apply_strategic_merge_patch(target, json::parse(patch), builtin_patch_meta(group, kind));
  EXPECT_FALSE(result.has_value()) << *result;
  return result ? PatchError{} : result.error();
}

json names(const json& list) {
  json out = json::array();
  for (const json& item : list) out.push_back(item.value("name", json(nullptr)));
  return out;
}

const json kStatefulSet = json::parse(R"({
  "apiVersion": "apps/v1", "kind": "StatefulSet",
  "metadata": {"name": "etcd-main", "namespace": "default", "labels": {"a": "1", "b": "2"},
               "finalizers": ["druid.gardener.cloud/etcd-druid"],
               "ownerReferences": [{"uid": "u1", "name": "etcd-main", "kind": "Etcd"}]},
  "spec": {
    "replicas": 3,
    "template": {
      "metadata": {"labels": {"app": "etcd", "role": "main"}},
      "spec": {
        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []}},
        "tolerations": [{"key": "t1"}, {"key": "t2"}],
        "containers": [
          {"name": "etcd", "image": "etcd:v1",
           "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
           "ports": [{"containerPort": 2379, "name": "client"}, {"containerPort": 2380, "name": "server"}],
           "volumeMounts": [{"mountPath": "/var/etcd/data", "name": "data"}]},
          {"name": "backup-restore", "image": "br:v1"}
        ],
        "volumes": [{"name": "data", "emptyDir": {}}]
      }
    },
    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]
  },
  "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "Progressing", "status": "True"}]}
})");

TEST(StrategicMergeTest, MergesContainersByName) {
  json result = apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{"containers":[
      {"name":"backup-restore","image":"br:v2"}]}}}})",
                         "apps", "StatefulSet");
  const json& containers = result["spec"]["template"]["spec"]["containers"];
  EXPECT_EQ(names(containers), json::parse(R"(["etcd","backup-restore"])"));
  EXPECT_EQ(containers[1]["image"], "br:v2");
  EXPECT_EQ(containers[0], kStatefulSet["spec"]["template"]["spec"]["containers"][0]);
}

TEST(StrategicMergeTest, NewListItemsComeFirstUnlessOrdered) {
  json added = apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{"containers":[
      {"name":"sidecar","image":"s:v1"}]}}}})",
                        "apps", "StatefulSet");
  EXPECT_EQ(names(added["spec"]["template"]["spec"]["containers"]),
            json::parse(R"(["sidecar","etcd","backup-restore"])"));

  json ordered = apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"etcd"},{"name":"backup-restore"},{"name":"sidecar"}],
      "containers":[{"name":"sidecar","image":"s:v1"}]}}}})",
                          "apps", "StatefulSet");
  EXPECT_EQ(names(ordered["spec"]["template"]["spec"]["containers"]),
            json::parse(R"(["etcd","backup-restore","sidecar"])"));
}

TEST(StrategicMergeTest, MergesEnvByNameAndPortsByContainerPort) {
  json result = apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{"containers":[
      {"name":"etcd",
       "env":[{"name":"B","value":"3"}],
       "ports":[{"containerPort":2380,"name":"peer"}],
       "volumeMounts":[{"mountPath":"/var/etcd/data","readOnly":true}]}]}}}})",
                         "apps", "StatefulSet");
  const json& etcd = result["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(etcd["env"], json::parse(R"([{"name":"A","value":"1"},{"name":"B","value":"3"}])"));
  EXPECT_EQ(etcd["ports"], json::parse(R"([{"containerPort":2379,"name":"client"},
                                           {"containerPort":2380,"name":"peer"}])"));
  EXPECT_EQ(etcd["volumeMounts"],
            json::parse(R"([{"mountPath":"/var/etcd/data","name":"data","readOnly":true}])"));
  EXPECT_EQ(etcd["image"], "etcd:v1");
}

TEST(StrategicMergeTest, DeleteDirectiveRemovesListItemsByMergeKey) {
  json result = apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{"containers":[
      {"name":"etcd","env":[{"name":"A","$patch":"delete"}]},
      {"name":"backup-restore","$patch":"delete"}]}}}})",
                         "apps", "StatefulSet");
  const json& containers = result["spec"]["template"]["spec"]["containers"];
  EXPECT_EQ(names(containers), json::parse(R"(["etcd"])"));
  EXPECT_EQ(containers[0]["env"], json::parse(R"([{"name":"B","value":"2"}])"));
}

TEST(StrategicMergeTest, ReplaceDirectiveInAListKeepsOnlyThePatchItems) {
  json result = apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{"containers":[
      {"name":"only","image":"o:v1"},{"$patch":"replace"}]}}}})",
                         "apps", "StatefulSet");
  EXPECT_EQ(result["spec"]["template"]["spec"]["containers"],
            json::parse(R"([{"name":"only","image":"o:v1"}])"));
}

TEST(StrategicMergeTest, MapDirectivesReplaceOrEmptyTheMap) {
  json replaced = apply_ok(
      kStatefulSet, R"({"spec":{"template":{"metadata":{"labels":{"$patch":"replace","x":"y"}}}}})",
      "apps", "StatefulSet");
  EXPECT_EQ(replaced["spec"]["template"]["metadata"]["labels"], json::parse(R"({"x":"y"})"));

  json deleted =
      apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{"affinity":{"$patch":"delete"}}}}})",
               "apps", "StatefulSet");
  EXPECT_EQ(deleted["spec"]["template"]["spec"]["affinity"], json::object());

  // A directive map for a field the object does not have adds nothing.
  json absent =
      apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{"dnsConfig":{"$patch":"delete"}}}}})",
               "apps", "StatefulSet");
  EXPECT_FALSE(absent["spec"]["template"]["spec"].contains("dnsConfig"));
}

TEST(StrategicMergeTest, MergeDirectiveIsRefusedAsByTheApiServer) {
  PatchError in_map = apply_error(
      kStatefulSet, R"({"metadata":{"labels":{"$patch":"merge","c":"3"}}})", "apps", "StatefulSet");
  EXPECT_EQ(in_map.kind, PatchErrorKind::kInternal);
  EXPECT_EQ(in_map.message, "unknown patch type: merge in map: map[$patch:merge c:3]");

  PatchError in_list = apply_error(
      kStatefulSet, R"({"spec":{"template":{"spec":{"containers":[{"$patch":"merge"}]}}}})", "apps",
      "StatefulSet");
  EXPECT_EQ(in_list.kind, PatchErrorKind::kInternal);
  EXPECT_EQ(in_list.message, "merging lists cannot yet be specified in the patch");
}

TEST(StrategicMergeTest, ListsWithoutStrategyAreReplaced) {
  json result = apply_ok(kStatefulSet, R"({"spec":{
      "template":{"spec":{"tolerations":[{"key":"t3"}]}},
      "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteMany"]}}]}})",
                         "apps", "StatefulSet");
  EXPECT_EQ(result["spec"]["template"]["spec"]["tolerations"], json::parse(R"([{"key":"t3"}])"));
  EXPECT_EQ(
      result["spec"]["volumeClaimTemplates"],
      json::parse(R"([{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteMany"]}}])"));
}

TEST(StrategicMergeTest, FinalizersAreASetOfPrimitives) {
  json added = apply_ok(
      kStatefulSet, R"({"metadata":{"finalizers":["other","druid.gardener.cloud/etcd-druid"]}})",
      "apps", "StatefulSet");
  EXPECT_EQ(added["metadata"]["finalizers"],
            json::parse(R"(["other","druid.gardener.cloud/etcd-druid"])"));

  json removed =
      apply_ok(added, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["other"]}})", "apps",
               "StatefulSet");
  EXPECT_EQ(removed["metadata"]["finalizers"],
            json::parse(R"(["druid.gardener.cloud/etcd-druid"])"));

  json ordered = apply_ok(kStatefulSet, R"({"metadata":{
      "$setElementOrder/finalizers":["druid.gardener.cloud/etcd-druid","z"],"finalizers":["z"]}})",
                          "apps", "StatefulSet");
  EXPECT_EQ(ordered["metadata"]["finalizers"],
            json::parse(R"(["druid.gardener.cloud/etcd-druid","z"])"));
}

TEST(StrategicMergeTest, ConditionsMergeByType) {
  json result =
      apply_ok(kStatefulSet, R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})",
               "apps", "StatefulSet");
  EXPECT_EQ(
      result["status"]["conditions"],
      json::parse(R"([{"type":"Ready","status":"True"},{"type":"Progressing","status":"True"}])"));
}

TEST(StrategicMergeTest, OwnerReferencesMergeByUid) {
  json result =
      apply_ok(kStatefulSet, R"({"metadata":{"ownerReferences":[{"uid":"u1","controller":true}]}})",
               "apps", "StatefulSet");
  EXPECT_EQ(result["metadata"]["ownerReferences"],
            json::parse(R"([{"uid":"u1","name":"etcd-main","kind":"Etcd","controller":true}])"));
}

TEST(StrategicMergeTest, NullDeletesAndMapsMerge) {
  json result =
      apply_ok(kStatefulSet, R"({"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"replicas":5}})",
               "apps", "StatefulSet");
  EXPECT_EQ(result["metadata"]["labels"], json::parse(R"({"b":"2","c":"3"})"));
  EXPECT_EQ(result["spec"]["replicas"], 5);
}

TEST(StrategicMergeTest, NullsInsideNewValuesAreDropped) {
  json result = apply_ok(kStatefulSet, R"({"spec":{"template":{"spec":{
      "securityContext":{"runAsUser":1000,"fsGroup":null},
      "containers":[{"name":"new","image":"n","workingDir":null}]}}}})",
                         "apps", "StatefulSet");
  EXPECT_EQ(result["spec"]["template"]["spec"]["securityContext"],
            json::parse(R"({"runAsUser":1000})"));
  EXPECT_EQ(result["spec"]["template"]["spec"]["containers"][0],
            json::parse(R"({"name":"new","image":"n"})"));
}

TEST(StrategicMergeTest, ServicePortsMergeByPort) {
  json service =
      json::parse(R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":2379,"name":"client"},
                                                                          {"port":2380,"name":"peer"}]}})");
  json result =
      apply_ok(service, R"({"spec":{"ports":[{"port":2380,"targetPort":2380}]}})", "", "Service");
  EXPECT_EQ(result["spec"]["ports"], json::parse(R"([{"port":2379,"name":"client"},
                                                     {"port":2380,"name":"peer","targetPort":2380}])"));
}

TEST(StrategicMergeTest, RetainKeysDropsOtherKeys) {
  json deployment = json::parse(
      R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})");
  json result =
      apply_ok(deployment, R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
               "apps", "Deployment");
  EXPECT_EQ(result["spec"]["strategy"], json::parse(R"({"type":"Recreate"})"));

  PatchError error = apply_error(
      deployment,
      R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":2}}}})", "apps",
      "Deployment");
  EXPECT_EQ(error.kind, PatchErrorKind::kBadRequest);
  EXPECT_EQ(error.message, "invalid patch format of retainKeys");
}

TEST(StrategicMergeTest, ItemsWithoutTheirMergeKeyAreRefused) {
  PatchError error =
      apply_error(kStatefulSet, R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})",
                  "apps", "StatefulSet");
  EXPECT_EQ(error.kind, PatchErrorKind::kInternal);
  EXPECT_EQ(error.message, "map: map[image:x] does not contain declared merge key: name");
}

TEST(StrategicMergeTest, ListsOfListsAreUnprocessable) {
  json object = json::parse(R"({"metadata":{"finalizers":[]}})");
  PatchError error = apply_error(object, R"({"metadata":{"finalizers":[["a"]]}})", "", "ConfigMap");
  EXPECT_EQ(error.kind, PatchErrorKind::kUnprocessable);
  EXPECT_EQ(error.message, "lists of lists are not supported");
}

TEST(StrategicMergeTest, BadDirectiveFormatsAreBadRequests) {
  EXPECT_EQ(apply_error(kStatefulSet, R"({"metadata":{"$setElementOrder/finalizers":"x"}})", "apps",
                        "StatefulSet")
                .message,
            "expected a []interface {}, but received a string");
  PatchError retain =
      apply_error(kStatefulSet, R"({"metadata":{"$retainKeys":"name"}})", "apps", "StatefulSet");
  EXPECT_EQ(retain.kind, PatchErrorKind::kBadRequest);
  EXPECT_EQ(retain.message, "invalid patch format of retainKeys");
}

TEST(StrategicMergeTest, APatchThatIsNotAnObjectIsABadRequest) {
  PatchError error = apply_error(kStatefulSet, R"([{"op":"add"}])", "apps", "StatefulSet");
  EXPECT_EQ(error.kind, PatchErrorKind::kBadRequest);
  EXPECT_EQ(error.message,
            "json: cannot unmarshal array into Go value of type map[string]interface {}");
}

TEST(StrategicMergeTest, KindsWithoutListStrategiesStillMergeMetadata) {
  json config_map = json::parse(R"({"metadata":{"name":"c","finalizers":["a"]},"data":{"x":"1"}})");
  auto result = apply_strategic_merge_patch(
      config_map, json::parse(R"({"metadata":{"finalizers":["b"]},"data":{"y":"2"}})"),
      "ConfigMap");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(
      *result,
      json::parse(R"({"metadata":{"name":"c","finalizers":["b","a"]},"data":{"x":"1","y":"2"}})"));
}

TEST(StrategicMergeTest, KindOverloadUsesTheBuiltinMetadata) {
  json pod =
      json::parse(R"({"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}})");
  auto result = apply_strategic_merge_patch(
      pod, json::parse(R"({"spec":{"containers":[{"name":"a","image":"3"}]}})"), "Pod");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->at("spec").at("containers"),
            json::parse(R"([{"name":"a","image":"3"},{"name":"b","image":"2"}])"));
}

TEST(StrategicMergeTest, OnlyBuiltinGroupsSupportStrategicMerge) {
  EXPECT_TRUE(strategic_merge_supported(""));
  EXPECT_TRUE(strategic_merge_supported("apps"));
  EXPECT_TRUE(strategic_merge_supported("coordination.k8s.io"));
  EXPECT_TRUE(strategic_merge_supported("rbac.authorization.k8s.io"));
  EXPECT_FALSE(strategic_merge_supported("druid.gardener.cloud"));
}

}  // namespace
}  // namespace druid::testing
