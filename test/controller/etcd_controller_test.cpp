// The Etcd controller against the test API server, the scenarios of
// upstream's test/it/controller/etcd/reconciler_test.go TestEtcdReconcileSpecWithNoAutoReconcile,
// TestEtcdDeletion
// and TestPreSyncHibernation, plus zero churn and restarts.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/resources.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;

const std::string kEtcd = kTestEtcdName;

// The ten managed kinds: resource and object name for etcd-main.
struct Managed {
  std::string resource;
  std::string name;
};

std::vector<Managed> runtime_objects() {
  return {{"serviceaccounts", kEtcd},
          {"roles.rbac.authorization.k8s.io", "druid.gardener.cloud:etcd:" + kEtcd},
          {"rolebindings.rbac.authorization.k8s.io", "druid.gardener.cloud:etcd:" + kEtcd},
          {"leases.coordination.k8s.io", kEtcd + "-0"},
          {"leases.coordination.k8s.io", kEtcd + "-1"},
          {"leases.coordination.k8s.io", kEtcd + "-2"},
          {"leases.coordination.k8s.io", kEtcd + "-full-snap"},
          {"leases.coordination.k8s.io", kEtcd + "-delta-snap"},
          {"poddisruptionbudgets.policy", kEtcd},
          {"services", kEtcd + "-client"},
          {"services", kEtcd + "-peer"}};
}

std::vector<Managed> all_objects() {
  auto objects = runtime_objects();
  objects.push_back({"configmaps", kEtcd + "-config"});
  objects.push_back({"statefulsets.apps", kEtcd});
  return objects;
}

json tls_backup_etcd() {
  json etcd = base_etcd_json(3);
  add_client_tls(etcd);
  add_peer_tls(etcd);
  add_store(etcd, "aws");
  return etcd;
}

json status_of(const json& etcd) {
  return etcd.value("status", json::object());
}

class EtcdControllerTest : public ::testing::Test {
 protected:
  bool exists(const Managed& m) { return env_.get(m.resource, m.name).has_value(); }
  bool all_exist(const std::vector<Managed>& objects) {
    for (const auto& m : objects) {
      if (!exists(m)) return false;
    }
    return true;
  }
  bool none_exist(const std::vector<Managed>& objects) {
    for (const auto& m : objects) {
      if (exists(m)) return false;
    }
    return true;
  }
  // Backup-restore marks member leases tls-enabled once peer TLS is on.
  void annotate_member_leases_tls(int replicas) {
    for (int i = 0; i < replicas; ++i) {
      const std::string name = kEtcd + "-" + std::to_string(i);
      ASSERT_TRUE(
          eventually([&] { return env_.get("leases.coordination.k8s.io", name).has_value(); }));
      auto patched = env_.client().patch(
          kube::resources::kLeases, kTestNamespace, name, kube::PatchType::kMerge,
          {{"metadata", {{"annotations", {{"member.etcd.gardener.cloud/tls-enabled", "true"}}}}}});
      ASSERT_TRUE(patched) << patched.error().what();
    }
  }

  OperatorEnv env_;
};

TEST_F(EtcdControllerTest, AddsFinalizerOnCreate) {
  env_.create_etcd(base_etcd_json(1));
  EXPECT_TRUE(eventually([&] {
    const auto finalizers = env_.etcd()["metadata"].value("finalizers", json::array());
    return finalizers == json::array({"druid.gardener.cloud/etcd-druid"});
  }));
}

TEST_F(EtcdControllerTest, CreatesAllManagedResourcesWithoutAnnotation) {
  env_.create_etcd(tls_backup_etcd());
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  EXPECT_TRUE(
      eventually([&] { return status_of(env_.etcd()).value("observedGeneration", 0) == 1; }));
  EXPECT_TRUE(all_exist(all_objects()));
  const json etcd = env_.etcd();
  EXPECT_FALSE(status_of(etcd).contains("lastErrors"));
  EXPECT_FALSE(
      etcd["metadata"].value("annotations", json::object()).contains("gardener.cloud/operation"));
  // Every object is controlled by the Etcd.
  for (const auto& m : all_objects()) {
    const auto object = env_.get(m.resource, m.name);
    ASSERT_TRUE(object) << m.resource << "/" << m.name;
    const auto& refs = (*object)["metadata"]["ownerReferences"];
    ASSERT_EQ(refs.size(), 1u) << m.resource;
    EXPECT_EQ(refs[0]["uid"], etcd["metadata"]["uid"]) << m.resource;
    EXPECT_EQ(refs[0]["controller"], true) << m.resource;
  }
}

TEST_F(EtcdControllerTest, RuntimeComponentCreationDisabledCreatesOnlyConfigMapAndStatefulSet) {
  json etcd = tls_backup_etcd();
  etcd["metadata"]["annotations"] = {
      {"druid.gardener.cloud/disable-etcd-runtime-component-creation", ""}};
  env_.create_etcd(etcd);
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  EXPECT_TRUE(exists({"configmaps", kEtcd + "-config"}));
  const auto sts = env_.get("statefulsets.apps", kEtcd);
  ASSERT_TRUE(sts);
  EXPECT_EQ((*sts)["spec"]["replicas"], 0);
  EXPECT_TRUE(none_exist(runtime_objects()));
  EXPECT_TRUE(
      eventually([&] { return status_of(env_.etcd()).value("observedGeneration", 0) == 1; }));
}

TEST_F(EtcdControllerTest, DisablingRuntimeComponentCreationCleansThemUp) {
  env_.create_etcd(tls_backup_etcd());
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  ASSERT_TRUE(all_exist(all_objects()));
  annotate_member_leases_tls(3);
  env_.patch_etcd({{"metadata",
                    {{"annotations",
                      {{"druid.gardener.cloud/disable-etcd-runtime-component-creation", ""},
                       {"gardener.cloud/operation", "reconcile"}}}}}});
  EXPECT_TRUE(eventually([&] { return none_exist(runtime_objects()); }, std::chrono::seconds(20)));
  EXPECT_TRUE(exists({"configmaps", kEtcd + "-config"}));
  EXPECT_TRUE(eventually([&] {
    const auto sts = env_.get("statefulsets.apps", kEtcd);
    return sts && (*sts)["spec"]["replicas"] == 0;
  }));
}

TEST_F(EtcdControllerTest, FailingComponentRecordsErrorAndStopsTheSync) {
  json etcd = base_etcd_json(3);
  etcd["spec"]["etcd"]["clientService"] = {{"labels", {{"invalid", "inv@lid"}}}};
  env_.create_etcd(etcd);
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Error"));
  const json status = status_of(env_.etcd());
  ASSERT_TRUE(status.contains("lastErrors"));
  EXPECT_EQ(status["lastErrors"][0]["code"], "ERR_SYNC_CLIENT_SERVICE");
  EXPECT_FALSE(status.contains("observedGeneration"));
  for (const auto& m : std::vector<Managed>{
           {"serviceaccounts", kEtcd},
           {"roles.rbac.authorization.k8s.io", "druid.gardener.cloud:etcd:" + kEtcd},
           {"leases.coordination.k8s.io", kEtcd + "-0"},
           {"poddisruptionbudgets.policy", kEtcd}}) {
    EXPECT_TRUE(exists(m)) << m.resource;
  }
  for (const auto& m : std::vector<Managed>{{"leases.coordination.k8s.io", kEtcd + "-full-snap"},
                                            {"services", kEtcd + "-client"},
                                            {"services", kEtcd + "-peer"},
                                            {"configmaps", kEtcd + "-config"},
                                            {"statefulsets.apps", kEtcd}}) {
    EXPECT_FALSE(exists(m)) << m.resource;
  }
}

TEST_F(EtcdControllerTest, SuspendedSpecReconcileCreatesNothingAndWarns) {
  json etcd = base_etcd_json(1);
  etcd["metadata"]["annotations"] = {{"gardener.cloud/operation", "reconcile"},
                                     {"druid.gardener.cloud/suspend-etcd-spec-reconcile", "true"}};
  env_.create_etcd(etcd);
  // The warning event proves a reconcile ran.
  ASSERT_TRUE(eventually([&] {
    for (const auto& event : env_.server().core().list_objects("events", kTestNamespace)) {
      if (event.value("reason", "") == "SpecReconciliationSkipped") return true;
    }
    return false;
  }));
  EXPECT_TRUE(none_exist(all_objects()));
  const json current = env_.etcd();
  EXPECT_FALSE(status_of(current).contains("lastOperation"));
  EXPECT_FALSE(status_of(current).contains("observedGeneration"));
  EXPECT_EQ(current["metadata"]["annotations"].value("gardener.cloud/operation", ""), "reconcile");
}

TEST_F(EtcdControllerTest, SpecUpdateWaitsForTheReconcileAnnotation) {
  env_.create_etcd(tls_backup_etcd());
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  ASSERT_TRUE(
      eventually([&] { return status_of(env_.etcd()).value("observedGeneration", 0) == 1; }));
  annotate_member_leases_tls(3);
  const auto reconciles = env_.op().reconciles();
  env_.patch_etcd({{"spec", {{"etcd", {{"metrics", "extensive"}}}}}});
  // Periodic reconciles run, but the spec is not applied.
  ASSERT_TRUE(eventually([&] { return env_.op().reconciles() >= reconciles + 2; }));
  EXPECT_EQ(status_of(env_.etcd()).value("observedGeneration", 0), 1);
  EXPECT_EQ((*env_.get("statefulsets.apps", kEtcd))["metadata"]["generation"], 1);

  env_.patch_etcd({{"metadata", {{"annotations", {{"gardener.cloud/operation", "reconcile"}}}}}});
  EXPECT_TRUE(eventually([&] { return status_of(env_.etcd()).value("observedGeneration", 0) == 2; },
                         std::chrono::seconds(20)));
  EXPECT_TRUE(eventually([&] {
    return !env_.etcd()["metadata"]
                .value("annotations", json::object())
                .contains("gardener.cloud/operation");
  }));
  EXPECT_EQ(status_of(env_.etcd())["lastOperation"]["state"], "Succeeded");
  EXPECT_EQ((*env_.get("statefulsets.apps", kEtcd))["metadata"]["generation"], 2);
  EXPECT_TRUE(env_.has_event_eventually(
      "Normal SpecApplied: Applied generation 2: updated ConfigMap etcd-main-config, StatefulSet "
      "etcd-main"));
}

TEST_F(EtcdControllerTest, DeletionRemovesEveryComponentButKeepsPvcsThenTheFinalizer) {
  env_.create_etcd(tls_backup_etcd());
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  ASSERT_TRUE(all_exist(all_objects()));
  // A PVC the StatefulSet controller would have made: druid must never delete it.
  ASSERT_TRUE(env_.client().create(
      kube::resources::kPersistentVolumeClaims, kTestNamespace,
      {{"apiVersion", "v1"},
       {"kind", "PersistentVolumeClaim"},
       {"metadata",
        {{"name", kEtcd + "-" + kEtcd + "-0"},
         {"labels",
          {{"app.kubernetes.io/managed-by", "etcd-druid"}, {"app.kubernetes.io/part-of", kEtcd}}}}},
       {"spec",
        {{"accessModes", {"ReadWriteOnce"}},
         {"resources", {{"requests", {{"storage", "16Gi"}}}}}}}}));
  ASSERT_TRUE(env_.client().remove(api::resources::kEtcds, kTestNamespace, kEtcd));
  EXPECT_TRUE(eventually([&] { return !env_.get("etcds.druid.gardener.cloud", kEtcd); },
                         std::chrono::seconds(20)));
  EXPECT_TRUE(none_exist(all_objects()));
  EXPECT_TRUE(env_.get("persistentvolumeclaims", kEtcd + "-" + kEtcd + "-0"));
  // The Events outlive the Etcd: `kubectl get events` tells what happened.
  EXPECT_TRUE(env_.has_event_eventually(
      "Normal Deleting: Deleting the cluster's resources; its PersistentVolumeClaims are kept"));
  EXPECT_TRUE(env_.has_event_eventually(
      "Normal Deleted: Deleted the cluster's resources; its PersistentVolumeClaims are kept"));
}

TEST_F(EtcdControllerTest, PartialDeletionFailureKeepsFinalizerAndRecordsErrors) {
  env_.create_etcd(tls_backup_etcd());
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  druid::testing::ErrorInjection service;
  service.match = {"delete", "services", kTestNamespace, kEtcd + "-client"};
  service.code = 500;
  service.count = 1000;
  env_.server().controls().inject_error(service);
  druid::testing::ErrorInjection leases;
  leases.match = {"deletecollection", "leases", kTestNamespace, ""};
  leases.code = 500;
  leases.count = 1000;
  env_.server().controls().inject_error(leases);
  ASSERT_TRUE(env_.client().remove(api::resources::kEtcds, kTestNamespace, kEtcd));
  ASSERT_TRUE(env_.wait_for_last_operation("Delete", "Error"));
  EXPECT_TRUE(eventually([&] {
    std::vector<std::string> codes;
    for (const auto& error : status_of(env_.etcd()).value("lastErrors", json::array())) {
      codes.push_back(error["code"]);
    }
    std::sort(codes.begin(), codes.end());
    return codes == std::vector<std::string>{"ERR_DELETE_CLIENT_SERVICE", "ERR_DELETE_MEMBER_LEASE",
                                             "ERR_DELETE_SNAPSHOT_LEASE"};
  }));
  EXPECT_TRUE(exists({"services", kEtcd + "-client"}));
  EXPECT_TRUE(exists({"leases.coordination.k8s.io", kEtcd + "-full-snap"}));
  EXPECT_FALSE(exists({"services", kEtcd + "-peer"}));
  EXPECT_FALSE(exists({"statefulsets.apps", kEtcd}));
  EXPECT_EQ(env_.etcd()["metadata"]["finalizers"],
            json::array({"druid.gardener.cloud/etcd-druid"}));
}

// Users alert on the codes: each component's failed delete is reported with its
// error_codes.hpp constant, never a code built from the component's kind.
TEST_F(EtcdControllerTest, EveryFailedDeleteIsRecordedWithItsComponentsCode) {
  env_.create_etcd(tls_backup_etcd());
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  const auto refuse = [&](const std::string& verb, const std::string& resource) {
    druid::testing::ErrorInjection injection;
    injection.match = {verb, resource, kTestNamespace, ""};
    injection.code = 500;
    injection.count = 1000;
    env_.server().controls().inject_error(injection);
  };
  for (const char* resource : {"serviceaccounts", "roles", "rolebindings", "poddisruptionbudgets",
                               "services", "configmaps", "statefulsets"}) {
    refuse("delete", resource);
  }
  refuse("deletecollection", "leases");
  ASSERT_TRUE(env_.client().remove(api::resources::kEtcds, kTestNamespace, kEtcd));
  ASSERT_TRUE(env_.wait_for_last_operation("Delete", "Error"));
  std::vector<std::string> codes;
  EXPECT_TRUE(eventually([&] {
    codes.clear();
    for (const auto& error : status_of(env_.etcd()).value("lastErrors", json::array())) {
      codes.push_back(error["code"]);
    }
    std::sort(codes.begin(), codes.end());
    return codes.size() == 10;
  }));
  EXPECT_EQ(codes,
            (std::vector<std::string>{"ERR_DELETE_CLIENT_SERVICE", "ERR_DELETE_CONFIGMAP",
                                      "ERR_DELETE_MEMBER_LEASE", "ERR_DELETE_PEER_SERVICE",
                                      "ERR_DELETE_POD_DISRUPTION_BUDGET", "ERR_DELETE_ROLE",
                                      "ERR_DELETE_ROLE_BINDING", "ERR_DELETE_SERVICE_ACCOUNT",
                                      "ERR_DELETE_SNAPSHOT_LEASE", "ERR_DELETE_STATEFULSET"}));
  for (const auto& error : status_of(env_.etcd()).value("lastErrors", json::array())) {
    const std::string description = error["description"];
    EXPECT_TRUE(description.starts_with(
        "[Operation: TriggerDelete, Code: " + error["code"].get<std::string>() + "]"))
        << description;
  }
  EXPECT_TRUE(all_exist(all_objects()));
  EXPECT_EQ(env_.etcd()["metadata"]["finalizers"],
            json::array({"druid.gardener.cloud/etcd-druid"}));
}

// TestPreSyncHibernation: hibernating an Etcd with a backup store first takes a
// full snapshot through an EtcdOpsTask (no ops-task controller runs here: the
// test plays it by setting the task's state).
class PreSyncHibernationTest : public EtcdControllerTest {
 protected:
  void SetUp() override {
    json etcd = base_etcd_json(3);
    add_client_tls(etcd);
    add_store(etcd, "aws");
    env_.create_etcd(etcd);
    ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
    ASSERT_TRUE(
        eventually([&] { return status_of(env_.etcd()).value("observedGeneration", 0) == 1; }));
    env_.patch_etcd({{"metadata", {{"annotations", {{"gardener.cloud/operation", "reconcile"}}}}},
                     {"spec", {{"replicas", 0}}}});
  }
  std::optional<json> task(int index) {
    return env_.get("etcdopstasks.druid.gardener.cloud",
                    "etcd-main-presync-snapshot-hibernation-" + std::to_string(index));
  }
  void finish_task(int index, const std::string& state) {
    const std::string name = "etcd-main-presync-snapshot-hibernation-" + std::to_string(index);
    ASSERT_TRUE(eventually([&] { return task(index).has_value(); }, std::chrono::seconds(20)))
        << name;
    auto patched =
        env_.client().patch(api::resources::kEtcdOpsTasks, kTestNamespace, name,
                            kube::PatchType::kMerge, {{"status", {{"state", state}}}}, "status");
    ASSERT_TRUE(patched) << patched.error().what();
  }
  bool statefulset_hibernated() {
    const auto sts = env_.get("statefulsets.apps", kEtcd);
    return sts && (*sts)["spec"]["replicas"] == 0;
  }
};

TEST_F(PreSyncHibernationTest, HibernatesAfterThePreSyncSnapshotSucceeded) {
  ASSERT_TRUE(eventually([&] { return task(0).has_value(); }, std::chrono::seconds(20)));
  const json created = *task(0);
  EXPECT_EQ(created["metadata"]["ownerReferences"][0]["uid"], env_.etcd()["metadata"]["uid"]);
  EXPECT_EQ(created["spec"]["etcdName"], kEtcd);
  // Waiting for the snapshot: the StatefulSet keeps its members.
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Requeue"));
  EXPECT_EQ((*env_.get("statefulsets.apps", kEtcd))["spec"]["replicas"], 3);
  finish_task(0, "Succeeded");
  EXPECT_TRUE(eventually([&] { return statefulset_hibernated(); }, std::chrono::seconds(30)));
  EXPECT_FALSE(task(1).has_value());
}

TEST_F(PreSyncHibernationTest, HibernatesAnywayAfterThreeFailedSnapshots) {
  for (int index = 0; index < 3; ++index) {
    finish_task(index, "Failed");
    if (index < 2) {
      EXPECT_FALSE(statefulset_hibernated()) << "after attempt " << index;
    }
  }
  EXPECT_TRUE(eventually([&] { return statefulset_hibernated(); }, std::chrono::seconds(30)));
  EXPECT_FALSE(task(3).has_value());
}

}  // namespace
}  // namespace druid::test
