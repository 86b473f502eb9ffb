// The Etcd controller's event filter (upstream's internal/controller/etcd/register.go, the four
// predicate tables of register_test.go) plus our rule that a newly set deletionTimestamp always
// triggers a reconcile.
#include "controller/etcd/predicate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

struct Case {
  std::string name;
  bool auto_reconcile;
  bool annotation;             // operation annotation `reconcile` on the new object
  bool generation_changed;     // spec change
  std::string last_operation;  // "", "Succeeded", "Processing", "Error"
  bool observed;               // status.observedGeneration set
  bool expected;
};

json etcd(int generation, bool annotation, const std::string& state, bool observed) {
  json object = {{"metadata", {{"name", "e"}, {"namespace", "n"}, {"generation", generation}}}};
  if (annotation) object["metadata"]["annotations"] = {{"gardener.cloud/operation", "reconcile"}};
  if (!state.empty()) {
    object["status"]["lastOperation"] = {{"type", "Reconcile"}, {"state", state}};
  }
  if (observed) object["status"]["observedGeneration"] = 1;
  return object;
}

class PredicateTable : public ::testing::TestWithParam<Case> {};

TEST_P(PredicateTable, Update) {
  const Case& c = GetParam();
  const json old_etcd = etcd(1, false, c.last_operation, c.observed);
  const json new_etcd =
      etcd(c.generation_changed ? 2 : 1, c.annotation, c.last_operation, c.observed);
  EXPECT_EQ(admits_update(old_etcd, new_etcd, c.auto_reconcile), c.expected);
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Etcd, PredicateTable,
    ::testing::Values(
        // auto-reconcile only
        Case{"auto_spec_changed", true, false, true, "Succeeded", true, true},
        Case{"auto_status_only", true, false, false, "Succeeded", true, false},
        Case{"auto_never_reconciled", true, false, false, "", false, true},
        Case{"auto_processing_no_change", true, false, false, "Processing", true, false},
        // no auto-reconcile, no annotation
        Case{"manual_spec_changed", false, false, true, "Succeeded", true, false},
        Case{"manual_status_only", false, false, false, "Succeeded", true, false},
        Case{"manual_never_reconciled", false, false, false, "", false, false},
        // no auto-reconcile, annotation
        Case{"annotated_succeeded", false, true, false, "Succeeded", true, true},
        Case{"annotated_spec_changed", false, true, true, "Processing", true, true},
        Case{"annotated_processing_no_change", false, true, false, "Processing", true, false},
        Case{"annotated_error_no_change", false, true, false, "Error", true, false},
        Case{"annotated_never_reconciled", false, true, false, "", false, true},
        // auto-reconcile and annotation
        Case{"both_succeeded", true, true, false, "Succeeded", true, true},
        Case{"both_processing_no_change", true, true, false, "Processing", true, false},
        Case{"both_spec_changed", true, true, true, "Error", true, true}),
    [](const auto& info) { return info.param.name; });
// clang-format on

TEST(EtcdPredicate, CreateAndDeleteAlwaysReconcile) {
  for (bool auto_reconcile : {false, true}) {
    const auto predicate = etcd_predicate(auto_reconcile);
    EXPECT_TRUE(predicate.create(etcd(1, false, "", false)));
    EXPECT_TRUE(predicate.remove(etcd(1, false, "Succeeded", true)));
  }
}

TEST(EtcdPredicate, NewDeletionTimestampAlwaysReconciles) {
  json old_etcd = etcd(1, false, "Succeeded", true);
  json new_etcd = old_etcd;
  new_etcd["metadata"]["deletionTimestamp"] = "2026-11-25T10:00:00Z";
  EXPECT_TRUE(admits_update(old_etcd, new_etcd, false));
  // An update of an Etcd already being deleted is not news.
  EXPECT_FALSE(admits_update(new_etcd, new_etcd, false));
}

TEST(EtcdPredicate, EitherAnnotationKeyCounts) {
  json old_etcd = etcd(1, false, "Succeeded", true);
  json new_etcd = old_etcd;
  new_etcd["metadata"]["annotations"] = {{"druid.gardener.cloud/operation", "reconcile"}};
  EXPECT_TRUE(admits_update(old_etcd, new_etcd, false));
  new_etcd["metadata"]["annotations"] = {{"druid.gardener.cloud/operation", "other"}};
  EXPECT_FALSE(admits_update(new_etcd, new_etcd, false));
}

// Ours: a value druid does not act on, newly set, starts a reconcile that only
// warns about it; the same value on a later update does not.
TEST(EtcdPredicate, NewlySetUnknownOperationValueReconcilesOnce) {
  const json old_etcd = etcd(1, false, "Succeeded", true);
  for (const char* key : {"gardener.cloud/operation", "druid.gardener.cloud/operation"}) {
    for (const char* value : {"reconcle", "RECONCILE", ""}) {
      json new_etcd = old_etcd;
      new_etcd["metadata"]["annotations"] = {{key, value}};
      EXPECT_TRUE(admits_update(old_etcd, new_etcd, false)) << key << "=" << value;
      json relabelled = new_etcd;
      relabelled["metadata"]["labels"] = {{"team", "x"}};
      EXPECT_FALSE(admits_update(new_etcd, relabelled, false)) << key << "=" << value;
    }
  }
}

json managed(const std::string& holder, int ready_replicas) {
  return {{"metadata", {{"name", "etcd-test-0"}, {"namespace", "n"}}},
          {"spec", {{"holderIdentity", holder}, {"renewTime", "2026-12-06T20:00:00.000000Z"}}},
          {"status", {{"readyReplicas", ready_replicas}}}};
}

TEST(ManagedObjectPredicate, StatefulSetStatusChangesEnqueueTheEtcd) {
  const auto predicate = managed_object_predicate(kube::resources::kStatefulSets);
  EXPECT_FALSE(predicate.create(managed("", 0)));
  EXPECT_TRUE(predicate.remove(managed("", 0)));
  EXPECT_TRUE(predicate.update(managed("", 2), managed("", 3)));
  json relabelled = managed("", 3);
  relabelled["metadata"]["labels"] = {{"team", "x"}};
  EXPECT_FALSE(predicate.update(managed("", 3), relabelled));
}

TEST(ManagedObjectPredicate, MemberLeaseHolderChangesButNotRenewals) {
  const auto predicate = managed_object_predicate(kube::resources::kLeases);
  EXPECT_FALSE(predicate.create(managed("a:Leader", 0)));
  EXPECT_TRUE(predicate.remove(managed("a:Leader", 0)));
  EXPECT_TRUE(predicate.update(managed("a:Member", 0), managed("a:Leader", 0)));
  json renewed = managed("a:Leader", 0);
  renewed["spec"]["renewTime"] = "2026-12-06T20:00:10.000000Z";
  EXPECT_FALSE(predicate.update(managed("a:Leader", 0), renewed));
}

TEST(ManagedObjectPredicate, OtherKindsOnlyOnDelete) {
  for (const auto* type : {&kube::resources::kServices, &kube::resources::kConfigMaps,
                           &kube::resources::kServiceAccounts}) {
    const auto predicate = managed_object_predicate(*type);
    EXPECT_FALSE(predicate.create(managed("", 0))) << type->resource;
    EXPECT_FALSE(predicate.update(managed("", 0), managed("", 1))) << type->resource;
    EXPECT_TRUE(predicate.remove(managed("", 0))) << type->resource;
  }
}

}  // namespace
}  // namespace druid::controller::etcd
