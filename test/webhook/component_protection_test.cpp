// Every row of the component-protection decision table (upstream's
// internal/webhook/etcdcomponentprotection/handler.go and handler_test.go),
// against a fake lookup.

#include "webhook/component_protection.hpp"

#include <gtest/gtest.h>

#include "api/annotations.hpp"
#include "webhook/fake_lookup.hpp"

namespace druid::webhook::test {
namespace {

const std::string kDeniedForJane =
    "changes from service account jane are disallowed at the moment. Please consider disabling "
    "component protection by setting annotation "
    "`druid.gardener.cloud/disable-etcd-component-protection` on the parent Etcd resource";

class DecisionTest : public ::testing::Test {
 protected:
  DecisionTest() {
    config_.reconciler_service_account = kReconciler;
    config_.exempt_service_accounts = {kGarbageCollector};
    lookup_.etcds[kEtcd] = etcd();
    lookup_.statefulsets[kEtcd] = statefulset();
  }
  Decision decide(const AdmissionRequest& r) { return webhook::decide(r, lookup_, config_); }

  FakeLookup lookup_;
  ProtectionConfig config_;
};

TEST_F(DecisionTest, CreateAndConnectAreAllowedWithoutLookingAnythingUp) {
  EXPECT_EQ(decide(request("CREATE", kStatefulSetKind, statefulset())),
            Decision::allow("operation CREATE is allowed"));
  EXPECT_EQ(decide(request("CONNECT", kStatefulSetKind, statefulset())),
            Decision::allow("operation CONNECT is allowed"));
  EXPECT_TRUE(lookup_.calls.empty());
}

TEST_F(DecisionTest, UnsupportedKindsAreAllowed) {
  const Kind job{"batch", "v1", "Job", "jobs"};
  EXPECT_EQ(decide(request("UPDATE", job, object("batch/v1", "Job", "etcd-main-compactor"))),
            Decision::allow("resource: Job.batch is not supported by EtcdComponents webhook"));
  const Kind pod{"", "v1", "Pod", "pods"};
  EXPECT_EQ(decide(request("DELETE", pod, object("v1", "Pod", "etcd-main-0"))).message,
            "resource: Pod is not supported by EtcdComponents webhook");
  EXPECT_TRUE(lookup_.calls.empty());
}

TEST_F(DecisionTest, ObjectsNotManagedByDruidAreAllowed) {
  json labels = managed_labels();
  labels[api::kManagedByLabelKey] = "someone-else";
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, statefulset(kEtcd, labels))),
            Decision::allow("resource: shoot--dev--test/etcd-main is not managed by druid, "
                            "skipping validations"));
  EXPECT_TRUE(
      decide(request("DELETE", kConfigMapKind, object("v1", "ConfigMap", "plain", {}))).allowed);
  EXPECT_TRUE(lookup_.calls.empty());
}

TEST_F(DecisionTest, WithoutPartOfLabelAllowedWithWarning) {
  const auto d = decide(request("UPDATE", kStatefulSetKind,
                                statefulset(kEtcd, {{api::kManagedByLabelKey, "etcd-druid"}})));
  EXPECT_EQ(d, Decision::allow(
                   "resource: shoot--dev--test/etcd-main  is not part of any Etcd, skipping "
                   "validations",
                   {"cannot determine parent etcd resource, label app.kubernetes.io/part-of not "
                    "found on resource: shoot--dev--test/etcd-main"}));
}

TEST_F(DecisionTest, MissingEtcdAllowedWithWarning) {
  const auto d =
      decide(request("UPDATE", kStatefulSetKind, statefulset("x", managed_labels("gone"))));
  EXPECT_EQ(d, Decision::allow(
                   "resource: shoot--dev--test/x  is not part of any Etcd, skipping validations",
                   {"parent Etcd gone not found for resource: shoot--dev--test/x"}));
  EXPECT_EQ(lookup_.calls, std::vector<std::string>{"get etcd shoot--dev--test/gone"});
}

TEST_F(DecisionTest, EtcdLookupFailureIsAnInternalError) {
  lookup_.etcd_error = "etcds.druid.gardener.cloud \"etcd-main\" is forbidden";
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, statefulset())),
            Decision::errored(500, "etcds.druid.gardener.cloud \"etcd-main\" is forbidden"));
}

TEST_F(DecisionTest, DisabledProtectionAllowsEveryone) {
  lookup_.etcds[kEtcd] = etcd({{api::kDisableEtcdComponentProtectionAnnotation, ""}});
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, statefulset())),
            Decision::allow("changes allowed, since Etcd etcd-main has annotation "
                            "druid.gardener.cloud/disable-etcd-component-protection"));
  // Even during deletion.
  lookup_.etcds[kEtcd] =
      etcd({{api::kDisableEtcdComponentProtectionAnnotation, "true"}}, "Delete", "Processing");
  EXPECT_TRUE(decide(request("DELETE", kStatefulSetKind, statefulset())).allowed);
}

TEST_F(DecisionTest, RuntimeComponentCreationDisabledReleasesOnlyRuntimeComponents) {
  lookup_.etcds[kEtcd] = etcd({{api::kDisableEtcdRuntimeComponentCreationAnnotation, ""}});
  const std::vector<std::pair<Kind, std::string>> runtime = {
      {{"", "v1", "ServiceAccount", "serviceaccounts"}, "v1"},
      {{"rbac.authorization.k8s.io", "v1", "Role", "roles"}, "rbac.authorization.k8s.io/v1"},
      {{"rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"},
       "rbac.authorization.k8s.io/v1"},
      {kLeaseKind, "coordination.k8s.io/v1"},
      {{"policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets"}, "policy/v1"},
      {{"", "v1", "Service", "services"}, "v1"},
  };
  for (const auto& [kind, api_version] : runtime) {
    const auto d = decide(request("UPDATE", kind, object(api_version, kind.kind, "etcd-main")));
    EXPECT_EQ(d, Decision::allow("Etcd etcd-main has runtime component creation disabled, "
                                 "skipping validations for resource shoot--dev--test/etcd-main"))
        << kind.kind;
  }
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, statefulset())),
            Decision::deny(kDeniedForJane));
  EXPECT_FALSE(
      decide(request("UPDATE", kConfigMapKind, object("v1", "ConfigMap", "etcd-bootstrap")))
          .allowed);
}

TEST_F(DecisionTest, DeleteDuringEtcdDeletionOnlyByDruidOrExemptAccounts) {
  lookup_.etcds[kEtcd] = etcd({}, "Delete", "Processing");
  const auto sts = statefulset();
  EXPECT_EQ(decide(request("DELETE", kStatefulSetKind, sts)),
            Decision::deny("no external intervention allowed during ongoing deletion of Etcd "
                           "etcd-main by etcd-druid"));
  EXPECT_EQ(decide(request("DELETE", kStatefulSetKind, sts, kReconciler)),
            Decision::allow("deletion of resource by etcd-druid is allowed during deletion of "
                            "Etcd etcd-main"));
  EXPECT_EQ(
      decide(request("DELETE", kStatefulSetKind, sts, kGarbageCollector)),
      Decision::allow("deletion of resource by exempt SA "
                      "system:serviceaccount:kube-system:generic-garbage-collector is allowed "
                      "during deletion of Etcd etcd-main"));
  // Error and Requeue states still count as a deletion in progress.
  lookup_.etcds[kEtcd] = etcd({}, "Delete", "Error");
  EXPECT_FALSE(decide(request("DELETE", kStatefulSetKind, sts)).allowed);
  // An UPDATE during deletion is judged as any change.
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, sts)), Decision::deny(kDeniedForJane));
  // A finished deletion is none in progress.
  lookup_.etcds[kEtcd] = etcd({}, "Delete", "Succeeded");
  EXPECT_EQ(decide(request("DELETE", kStatefulSetKind, sts)), Decision::deny(kDeniedForJane));
}

TEST_F(DecisionTest, TheReconcilerMayAlwaysChangeAndDelete) {
  for (const char* op : {"UPDATE", "DELETE"}) {
    EXPECT_EQ(decide(request(op, kStatefulSetKind, statefulset(), kReconciler)),
              Decision::allow("update of managed resources by etcd-druid is allowed"))
        << op;
  }
  lookup_.etcds[kEtcd] = etcd({}, "Reconcile", "Processing");
  EXPECT_TRUE(decide(request("UPDATE", kStatefulSetKind, statefulset(), kReconciler)).allowed);
}

TEST_F(DecisionTest, UsersAreDeniedWithTheExactMessage) {
  const auto d = decide(request("UPDATE", kStatefulSetKind, statefulset()));
  EXPECT_EQ(d, Decision::deny(kDeniedForJane));
  EXPECT_EQ(d.code, 403);
  EXPECT_EQ(d.reason, "Forbidden");
  EXPECT_EQ(decide(request("DELETE", kConfigMapKind, object("v1", "ConfigMap", "etcd-bootstrap"))),
            Decision::deny(kDeniedForJane));
  // A similar-looking account is not the reconciler.
  EXPECT_FALSE(
      decide(request("UPDATE", kStatefulSetKind, statefulset(), std::string(kReconciler) + " "))
          .allowed);
}

TEST_F(DecisionTest, EtcdMembersMayChangeTheirLeasesOnly) {
  const std::string member = "system:serviceaccount:shoot--dev--test:etcd-main";
  const auto lease = object("coordination.k8s.io/v1", "Lease", "etcd-main-0");
  EXPECT_EQ(decide(request("UPDATE", kLeaseKind, lease, member)),
            Decision::allow("lease resource can be freely updated by etcd members"));
  // Surrounding blanks are trimmed as upstream does.
  EXPECT_TRUE(decide(request("UPDATE", kLeaseKind, lease, " " + member + " ")).allowed);
  // Not other objects, and not another Etcd's account.
  EXPECT_FALSE(decide(request("UPDATE", kStatefulSetKind, statefulset(), member)).allowed);
  EXPECT_FALSE(decide(request("UPDATE", kLeaseKind, lease,
                              "system:serviceaccount:shoot--dev--test:etcd-events"))
                   .allowed);
}

TEST_F(DecisionTest, ExemptAccountsWhileNoReconcileRuns) {
  const auto sts = statefulset();
  const std::string allowed =
      "operations on resources by exempt service account "
      "system:serviceaccount:kube-system:generic-garbage-collector are allowed";
  EXPECT_EQ(decide(request("DELETE", kStatefulSetKind, sts, kGarbageCollector)),
            Decision::allow(allowed));
  lookup_.etcds[kEtcd] = etcd({}, "Reconcile", "Succeeded");
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, sts, kGarbageCollector)),
            Decision::allow(allowed));

  for (const char* state : {"Processing", "Error", "Requeue"}) {
    lookup_.etcds[kEtcd] = etcd({}, "Reconcile", state);
    EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, sts, kGarbageCollector)),
              Decision::deny(
                  "changes from service account "
                  "system:serviceaccount:kube-system:generic-garbage-collector are disallowed at "
                  "the moment. Please consider disabling component protection by setting "
                  "annotation `druid.gardener.cloud/disable-etcd-component-protection` on the "
                  "parent Etcd resource"))
        << state;
  }
  // During a reconcile, objects already being deleted (orphaned StatefulSets) may be finished.
  auto deleting = sts;
  deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, deleting, kGarbageCollector)),
            Decision::allow(
                "deletion of resource by exempt service account "
                "system:serviceaccount:kube-system:generic-garbage-collector is allowed during "
                "ongoing reconciliation of Etcd etcd-main, since deletion timestamp is set on "
                "the resource"));
  // The deletion timestamp does not help anyone else.
  EXPECT_FALSE(decide(request("UPDATE", kStatefulSetKind, deleting)).allowed);
}

TEST_F(DecisionTest, ScaleSubresourceIsJudgedByTheStatefulSet) {
  AdmissionRequest r;
  r.kind = {"autoscaling", "v1", "Scale"};
  r.resource = {"apps", "v1", "statefulsets"};
  r.sub_resource = "scale";
  r.name = kEtcd;
  r.namespace_ = kNs;
  r.operation = "UPDATE";
  r.username = kUser;
  r.object = {{"apiVersion", "autoscaling/v1"}, {"kind", "Scale"}};  // no labels on a Scale
  EXPECT_EQ(decide(r), Decision::deny(kDeniedForJane));
  EXPECT_EQ(lookup_.calls.front(), "get sts shoot--dev--test/etcd-main");

  lookup_.statefulsets[kEtcd] = statefulset(kEtcd, {{"app", "other"}});
  EXPECT_TRUE(decide(r).allowed);

  r.name = "missing";
  EXPECT_EQ(decide(r), Decision::errored(500,
                                         "[Operation: "
                                         "GetStatefulSetPartialObjectMetaFromScaleSubResource, "
                                         "Code: ERR_GET_SCALE_SUBRESOURCE_PARENT] "
                                         "statefulsets.apps \"missing\" not found"));

  // The scale subresource of anything else is not druid's.
  r.resource = {"apps", "v1", "deployments"};
  EXPECT_EQ(decide(r),
            Decision::allow("resource: Scale.autoscaling is not supported by EtcdComponents "
                            "webhook"));
}

TEST_F(DecisionTest, PvcDeletionIsJudgedByTheOneMatchingStatefulSet) {
  const json pvc_labels = managed_labels();
  const auto pvc = object("v1", "PersistentVolumeClaim", "etcd-main-etcd-main-0", pvc_labels);
  EXPECT_EQ(decide(request("DELETE", kPvcKind, pvc)), Decision::deny(kDeniedForJane));
  EXPECT_EQ(lookup_.calls.front(),
            "list sts shoot--dev--test "
            "app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=etcd-main");
  EXPECT_TRUE(decide(request("DELETE", kPvcKind, pvc, kReconciler)).allowed);

  // No StatefulSet carries all the PVC's labels: not druid's.
  json more = pvc_labels;
  more["extra"] = "x";
  EXPECT_EQ(
      decide(request("DELETE", kPvcKind, object("v1", "PersistentVolumeClaim", "data", more))),
      Decision::allow("resource: PersistentVolumeClaim is not supported by "
                      "EtcdComponents webhook"));

  // Two do: ambiguous.
  lookup_.statefulsets["etcd-main-copy"] = statefulset("etcd-main-copy");
  EXPECT_EQ(decide(request("DELETE", kPvcKind, pvc)),
            Decision::errored(500,
                              "[Operation: FetchStatefulSetByLabels, Code: "
                              "ERR_TOO_MANY_MATCHING_STATEFULSETS] found more than one "
                              "StatefulSet for labels: map[app.kubernetes.io/managed-by:etcd-druid "
                              "app.kubernetes.io/part-of:etcd-main]"));

  lookup_.statefulset_error = "connection refused";
  EXPECT_EQ(decide(request("DELETE", kPvcKind, pvc)),
            Decision::errored(500,
                              "[Operation: GetStatefulSetPartialObjMetaFromPVC, Code: "
                              "ERR_GET_SCALE_SUBRESOURCE_PARENT] connection refused"));
}

TEST_F(DecisionTest, PvcWithoutLabelsIsAnError) {
  auto r =
      request("DELETE", kPvcKind, object("v1", "PersistentVolumeClaim", "data-0", json::object()));
  EXPECT_EQ(decide(r), Decision::errored(500,
                                         "[Operation: GetStatefulSetPartialObjMetaFromPVC, Code: "
                                         "ERR_GET_SCALE_SUBRESOURCE_PARENT] resource "
                                         "shoot--dev--test/data-0 does not have any labels"));
  EXPECT_TRUE(lookup_.calls.empty());
}

TEST_F(DecisionTest, UndecodableObjectsAreBadRequests) {
  const std::string prefix =
      "[Operation: decodeObjectAsUnstructured, Code: ERR_DECODE_REQUEST_OBJECT] ";
  auto no_old = request("DELETE", kStatefulSetKind, statefulset());
  no_old.old_object = nullptr;
  EXPECT_EQ(decide(no_old), Decision::errored(400, prefix + "there is no content to decode"));

  auto text = request("UPDATE", kStatefulSetKind, statefulset());
  text.old_object = "not an object";
  EXPECT_EQ(decide(text),
            Decision::errored(400, prefix + "json: cannot unmarshal string into Go value of type "
                                            "map[string]interface {}"));

  auto no_kind = request("UPDATE", kStatefulSetKind, statefulset());
  no_kind.object.erase("kind");
  const auto d = decide(no_kind);
  EXPECT_EQ(d.code, 400);
  EXPECT_EQ(d.message.rfind(prefix + "Object 'Kind' is missing in '{", 0), 0u) << d.message;

  auto pvc = request("DELETE", kPvcKind, nullptr);
  EXPECT_EQ(decide(pvc).code, 400);

  auto unknown_op = request("PATCH", kStatefulSetKind, statefulset());
  EXPECT_EQ(decide(unknown_op),
            Decision::errored(400,
                              "[Operation: doDecodeRequestObjects, Code: "
                              "ERR_DECODE_REQUEST_OBJECT] unsupported operation"));
  EXPECT_TRUE(lookup_.calls.empty());
}

TEST_F(DecisionTest, ObjectWithoutNamespaceUsesTheRequestNamespace) {
  auto sts = statefulset();
  sts["metadata"].erase("namespace");
  EXPECT_EQ(decide(request("UPDATE", kStatefulSetKind, sts)), Decision::deny(kDeniedForJane));
  EXPECT_EQ(lookup_.calls, std::vector<std::string>{"get etcd shoot--dev--test/etcd-main"});
}

TEST(ProtectionConfig, ServiceAccountInfoWinsOverTheDeprecatedFqdn) {
  api::EtcdComponentProtectionWebhookConfiguration c;
  c.exempt_service_accounts = {kGarbageCollector};
  auto none = protection_config(c);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), "no reconciler service account FQDN or service account info provided");

  c.reconciler_service_account_fqdn = "system:serviceaccount:old:druid";
  ASSERT_TRUE(protection_config(c));
  EXPECT_EQ(protection_config(c)->reconciler_service_account, "system:serviceaccount:old:druid");

  c.service_account_info = api::ServiceAccountInfo{"etcd-druid", "garden"};
  auto both = protection_config(c);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->reconciler_service_account, "system:serviceaccount:garden:etcd-druid");
  EXPECT_EQ(both->exempt_service_accounts, std::vector<std::string>{kGarbageCollector});
}

}  // namespace
}  // namespace druid::webhook::test
