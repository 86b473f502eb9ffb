// The cached forms of Pods and PVCs (src/controller/cached_forms.hpp): exactly
// the listed fields survive, and every reader of a cached Pod or PVC answers
// the same from the reduced form as from the object the API server sent.

#include "controller/cached_forms.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/resources.hpp"
#include "controller/ondelete/pod_facts.hpp"
#include "health/statefulset_status.hpp"

namespace druid::controller {
namespace {

using nlohmann::json;

json statefulset() {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", {{"name", "main"}, {"namespace", "shoot"}, {"uid", "sts-uid"}}},
          {"status", {{"updateRevision", "main-6f7"}, {"currentRevision", "main-6f7"}}}};
}

// A pod as a kubelet reports it: most of it is spec and status detail that no
// druid reader looks at. `etcd_state` is the etcd container's `state`.
json kubelet_pod(const std::string& name, const json& etcd_state, bool ready) {
  const std::string readiness = ready ? "True" : "False";
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {
      "namespace": "shoot", "resourceVersion": "42",
      "labels": {"app.kubernetes.io/managed-by": "etcd-druid", "app.kubernetes.io/part-of": "main",
                 "controller-revision-hash": "main-6f7"},
      "annotations": {"checksum/etcd-configmap": "abc"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "main",
                           "uid": "sts-uid", "controller": true, "blockOwnerDeletion": true}]
    },
    "spec": {
      "containers": [{"name": "etcd", "image": "etcd-wrapper:v0.4.2",
                      "args": ["start-etcd", "--backup-restore-host-port=main-local:8080"],
                      "ports": [{"containerPort": 2379}, {"containerPort": 2380}],
                      "volumeMounts": [{"name": "main", "mountPath": "/var/etcd/data"}]},
                     {"name": "backup-restore", "image": "etcd-backup-restore:v0.30.2",
                      "args": ["server", "--schedule=0 */24 * * *"]}],
      "volumes": [{"name": "main", "persistentVolumeClaim": {"claimName": "main-main-0"}}],
      "nodeName": "node-a", "serviceAccountName": "main"
    },
    "status": {
      "phase": "Running", "hostIP": "10.0.0.5", "podIP": "10.1.0.7", "qosClass": "Burstable",
      "startTime": "2026-12-01T10:00:00Z",
      "conditions": [{"type": "Initialized", "status": "True"},
                     {"type": "PodScheduled", "status": "True"}],
      "containerStatuses": [
        {"name": "backup-restore", "ready": true, "restartCount": 0, "started": true,
         "image": "etcd-backup-restore:v0.30.2", "imageID": "sha256:1111",
         "containerID": "containerd://aaaa",
         "state": {"running": {"startedAt": "2026-12-01T10:00:05Z"}}, "lastState": {}},
        {"name": "etcd", "restartCount": 3, "started": true, "image": "etcd-wrapper:v0.4.2",
         "imageID": "sha256:2222", "containerID": "containerd://bbbb",
         "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}
      ]
    }
  })");
  pod["metadata"]["name"] = name;
  pod["metadata"]["uid"] = "uid-" + name;
  pod["spec"]["hostname"] = name;
  auto& conditions = pod["status"]["conditions"];
  conditions.push_back({{"type", "Ready"}, {"status", readiness}});
  conditions.push_back({{"type", "ContainersReady"}, {"status", readiness}});
  auto& etcd = pod["status"]["containerStatuses"][1];
  etcd["ready"] = ready;
  etcd["state"] = etcd_state;
  return pod;
}

json reduced(json object, const kube::ObjectTransform& form) {
  form.apply(object);
  return object;
}

std::vector<json> pods_in_every_state() {
  std::vector<json> pods = {
      kubelet_pod("main-0", {{"running", {{"startedAt", "2026-12-01T10:00:05Z"}}}}, true),
      kubelet_pod("main-1", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}, false),
      kubelet_pod("main-2", {{"waiting", {{"reason", "ContainerCreating"}}}}, false),
      kubelet_pod("main-3", {{"terminated", {{"exitCode", 137}}}}, false),
      kubelet_pod("main-4", {{"running", json::object()}}, true)};
  pods[4]["metadata"]["deletionTimestamp"] = "2026-12-01T11:00:00Z";
  pods[4]["metadata"]["labels"]["controller-revision-hash"] = "main-5e6";
  pods[4]["metadata"]["ownerReferences"][0]["uid"] = "other-sts";
  return pods;
}

TEST(CachedFormsTest, PodKeepsMetadataPhaseConditionsAndContainerStatesOnly) {
  const json pod = kubelet_pod("main-1", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}, false);
  const json form = reduced(pod, pod_form());
  json expected = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", pod["metadata"]}};
  expected["status"] = {{"phase", "Running"},
                        {"conditions", pod["status"]["conditions"]},
                        {"containerStatuses",
                         {{{"name", "backup-restore"},
                           {"ready", true},
                           {"state", {{"running", {{"startedAt", "2026-12-01T10:00:05Z"}}}}}},
                          {{"name", "etcd"},
                           {"ready", false},
                           {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}}}}};
  EXPECT_EQ(form, expected) << form.dump(2);
  EXPECT_LT(form.dump().size() * 2, pod.dump().size()) << "the form should be far smaller";
}

TEST(CachedFormsTest, EveryPodReaderAnswersTheSameFromTheForm) {
  const json sts = statefulset();
  for (const json& pod : pods_in_every_state()) {
    const json form = reduced(pod, pod_form());
    const std::string name = pod["metadata"]["name"];
    const auto full_facts = ondelete::read_pod("main", pod);
    const auto form_facts = ondelete::read_pod("main", form);
    EXPECT_EQ(form_facts.name, full_facts.name) << name;
    EXPECT_EQ(form_facts.uid, full_facts.uid) << name;
    EXPECT_EQ(form_facts.ordinal, full_facts.ordinal) << name;
    EXPECT_EQ(form_facts.revision, full_facts.revision) << name;
    EXPECT_EQ(form_facts.terminating, full_facts.terminating) << name;
    EXPECT_EQ(form_facts.participating, full_facts.participating) << name;
    EXPECT_EQ(form_facts.state, full_facts.state) << name;
    EXPECT_EQ(health::is_owned_by_statefulset(form, sts), health::is_owned_by_statefulset(pod, sts))
        << name;
  }
  // The facts differ between the pods, so the comparison above can fail.
  const auto pods = pods_in_every_state();
  EXPECT_EQ(ondelete::read_pod("main", reduced(pods[0], pod_form())).state,
            ondelete::ContainerState::kAlive);
  EXPECT_EQ(ondelete::read_pod("main", reduced(pods[1], pod_form())).state,
            ondelete::ContainerState::kDead);
  EXPECT_TRUE(ondelete::read_pod("main", reduced(pods[4], pod_form())).terminating);

  std::vector<std::shared_ptr<const json>> full_list;
  std::vector<std::shared_ptr<const json>> form_list;
  for (const json& pod : pods) {
    full_list.push_back(std::make_shared<const json>(pod));
    form_list.push_back(std::make_shared<const json>(reduced(pod, pod_form())));
  }
  EXPECT_EQ(health::all_owned_pods_at_update_revision(sts, form_list),
            health::all_owned_pods_at_update_revision(sts, full_list));
  EXPECT_TRUE(health::all_owned_pods_at_update_revision(sts, form_list))
      << "main-4 is at another revision but owned by another StatefulSet";
}

TEST(CachedFormsTest, ClaimKeepsMetadataAndPhaseOnly) {
  const json claim = json::parse(R"({
    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
    "metadata": {"name": "main-main-0", "namespace": "shoot", "uid": "pvc-uid",
                 "labels": {"app.kubernetes.io/part-of": "main"},
                 "finalizers": ["kubernetes.io/pvc-protection"]},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "25Gi"}},
             "storageClassName": "default", "volumeMode": "Filesystem"},
    "status": {"phase": "Pending"}
  })");
  const json form = reduced(claim, persistent_volume_claim_form());
  EXPECT_EQ(form, json({{"apiVersion", "v1"},
                        {"kind", "PersistentVolumeClaim"},
                        {"metadata", claim["metadata"]},
                        {"status", {{"phase", "Pending"}}}}))
      << form.dump(2);
}

TEST(CachedFormsTest, OnlyPodsAndClaimsAreReduced) {
  EXPECT_EQ(cached_form(kube::resources::kPods).name, pod_form().name);
  EXPECT_EQ(cached_form(kube::resources::kPersistentVolumeClaims).name,
            persistent_volume_claim_form().name);
  for (const auto& type : {kube::resources::kStatefulSets, kube::resources::kLeases,
                           api::resources::kEtcds, kube::resources::kConfigMaps}) {
    const auto form = cached_form(type);
    EXPECT_TRUE(form.name.empty()) << type.resource;
    EXPECT_FALSE(form.apply) << type.resource;
  }
  // A pod without status (just created) keeps no status at all.
  json pending = {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata", {{"name", "main-0"}}},
                  {"spec", {{"containers", json::array()}}}};
  EXPECT_EQ(reduced(pending, pod_form()),
            json({{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "main-0"}}}}));
}

}  // namespace
}  // namespace druid::controller
