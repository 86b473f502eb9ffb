// Snapshot leases (upstream's internal/component/snapshotlease/snapshotlease.go): the built
// objects, and sync /
// existing names / trigger delete against the test API server.

#include "component/snapshotlease.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "kube/resource.hpp"
#include "support/component_env.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"

namespace druid::component {
namespace {

using nlohmann::json;
using test::kTestNamespace;
const util::ResourceType& kLeases = kube::resources::kLeases;

json etcd_with_store_json(const std::string& name = test::kTestEtcdName) {
  json etcd = test::base_etcd_json(3);
  etcd["metadata"]["name"] = name;
  test::add_store(etcd);
  return etcd;
}

// What backup-restore writes after a full snapshot (etcd-backup-restore's
// pkg/health/heartbeat/heartbeat.go).
json snapshot_renewal() {
  return {{"spec", {{"holderIdentity", "42"}, {"renewTime", "2024-05-01T10:00:00.000000Z"}}}};
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<std::string> kBothLeases{"etcd-main-delta-snap", "etcd-main-full-snap"};

class SnapshotLeaseTest : public ::testing::Test {
 protected:
  test::ComponentEnv env;
  ComponentPtr component = make_snapshot_lease_component();

  json get_lease(const std::string& name) {
    auto lease = env.cluster().get(kLeases, kTestNamespace, name);
    EXPECT_TRUE(lease) << lease.error().what();
    return lease ? *lease : json();
  }
  std::vector<std::string> lease_names_in_namespace() {
    auto list = env.cluster().list(kLeases, kTestNamespace);
    EXPECT_TRUE(list) << list.error().what();
    std::vector<std::string> names;
    if (list) {
      for (const auto& item : (*list)["items"]) names.push_back(item["metadata"]["name"]);
    }
    return sorted(names);
  }
  void patch_lease(const std::string& name, const json& patch) {
    auto patched =
        env.cluster().patch(kLeases, kTestNamespace, name, kube::PatchType::kMerge, patch);
    ASSERT_TRUE(patched) << patched.error().what();
  }
  std::int64_t count(const std::string& verb) {
    return env.cluster().controls().request_count(verb, "leases");
  }
};

// --- the built objects -------------------------------------------------------------

TEST(SnapshotLeaseBuilder, Names) {
  const auto etcd = test::decode(etcd_with_store_json());
  EXPECT_EQ(snapshot_lease_names(etcd), kBothLeases);
}

TEST(SnapshotLeaseBuilder, MatchesGoldens) {
  const auto etcd = test::decode(etcd_with_store_json());
  EXPECT_TRUE(test::matches_golden(build_snapshot_lease(etcd, "etcd-main-full-snap"),
                                   "snapshotlease/full-snap.json"));
  EXPECT_TRUE(test::matches_golden(build_snapshot_lease(etcd, "etcd-main-delta-snap"),
                                   "snapshotlease/delta-snap.json"));
}

// memberNamePrefix names members, not snapshot leases: same names, same objects.
TEST(SnapshotLeaseBuilder, MemberNamePrefixChangesNothing) {
  json with_prefix = etcd_with_store_json();
  with_prefix["spec"]["memberNamePrefix"] = "main";
  const auto etcd = test::decode(with_prefix);
  EXPECT_EQ(snapshot_lease_names(etcd), kBothLeases);
  EXPECT_TRUE(test::matches_golden(build_snapshot_lease(etcd, "etcd-main-full-snap"),
                                   "snapshotlease/full-snap.json"));
  EXPECT_TRUE(test::matches_golden(build_snapshot_lease(etcd, "etcd-main-delta-snap"),
                                   "snapshotlease/delta-snap.json"));
}

TEST(SnapshotLeaseBuilder, ManagesMetadataOnly) {
  const auto lease =
      build_snapshot_lease(test::decode(etcd_with_store_json()), "etcd-main-full-snap");
  EXPECT_FALSE(lease.contains("spec"));
  EXPECT_FALSE(lease["metadata"].contains("annotations"));
}

TEST(SnapshotLeaseBuilder, Kind) {
  EXPECT_EQ(make_snapshot_lease_component()->kind(), "SnapshotLease");
}

// --- sync --------------------------------------------------------------------------

TEST_F(SnapshotLeaseTest, SyncCreatesBothLeasesWithBackupStore) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  auto synced = component->sync(ctx);
  ASSERT_TRUE(synced) << synced.error().description();
  EXPECT_EQ(lease_names_in_namespace(), kBothLeases);
  for (const auto& name : kBothLeases) {
    const auto live = get_lease(name);
    EXPECT_TRUE(is_satisfied_by(build_snapshot_lease(etcd, name), live)) << live.dump(2);
  }
  auto names = component->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(sorted(*names), kBothLeases);
}

TEST_F(SnapshotLeaseTest, SecondSyncSendsNoWrite) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(env.cluster().controls().write_count(), 0);
}

TEST_F(SnapshotLeaseTest, RenewedLeaseKeepsSpecWithoutWrite) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  patch_lease("etcd-main-full-snap", snapshot_renewal());

  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(env.cluster().controls().write_count(), 0);
  const auto live = get_lease("etcd-main-full-snap");
  EXPECT_EQ(live["spec"]["holderIdentity"], "42");
  EXPECT_EQ(live["spec"]["renewTime"], "2024-05-01T10:00:00.000000Z");
}

TEST_F(SnapshotLeaseTest, ForeignLabelIsRemovedByOnePatchKeepingSpec) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  patch_lease("etcd-main-delta-snap", snapshot_renewal());
  patch_lease("etcd-main-delta-snap", {{"metadata", {{"labels", {{"foreign", "x"}}}}}});

  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(count("patch"), 1);
  EXPECT_EQ(env.cluster().controls().write_count(), 1);
  const auto live = get_lease("etcd-main-delta-snap");
  EXPECT_EQ(live["metadata"]["labels"],
            json(api::snapshot_lease_labels(etcd, "etcd-main-delta-snap")));
  EXPECT_EQ(live["spec"]["holderIdentity"], "42");
}

TEST_F(SnapshotLeaseTest, WithoutBackupStoreSyncCreatesNothingAndWritesNothing) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_TRUE(lease_names_in_namespace().empty());
  EXPECT_EQ(env.cluster().controls().write_count(), 0);
}

TEST_F(SnapshotLeaseTest, BackupDisabledSyncDeletesSnapshotLeasesOnly) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  const auto other = env.create_etcd(etcd_with_store_json("etcd-other"));
  auto ctx = env.context(etcd);
  auto other_ctx = env.context(other);
  ASSERT_TRUE(component->sync(ctx));
  ASSERT_TRUE(component->sync(other_ctx));

  api::Etcd disabled = etcd;
  disabled.spec.backup.store.reset();
  auto disabled_ctx = env.context(disabled);
  env.cluster().controls().reset_counts();
  auto synced = component->sync(disabled_ctx);
  ASSERT_TRUE(synced) << synced.error().description();
  EXPECT_EQ(count("deletecollection"), 1);
  EXPECT_EQ(lease_names_in_namespace(),
            (std::vector<std::string>{"etcd-other-delta-snap", "etcd-other-full-snap"}));

  // Nothing left to delete: the next sync writes nothing.
  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(disabled_ctx));
  EXPECT_EQ(env.cluster().controls().write_count(), 0);
}

// --- existing names ---------------------------------------------------------------

TEST_F(SnapshotLeaseTest, ExistingNamesCountsOnlyLeasesControlledByTheEtcd) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  const auto other = env.create_etcd(etcd_with_store_json("etcd-other"));
  ASSERT_NE(other.metadata.uid, etcd.metadata.uid);
  auto other_ctx = env.context(other);
  ASSERT_TRUE(component->sync(other_ctx));

  // etcd-main's full-snap lease, controlled by another object.
  json foreign = build_snapshot_lease(etcd, "etcd-main-full-snap");
  foreign["metadata"]["ownerReferences"][0]["uid"] = other.metadata.uid;
  ASSERT_TRUE(env.cluster().create(kLeases, kTestNamespace, foreign));
  // etcd-main's delta-snap lease, properly owned.
  ASSERT_TRUE(env.cluster().create(kLeases, kTestNamespace,
                                   build_snapshot_lease(etcd, "etcd-main-delta-snap")));

  auto ctx = env.context(etcd);
  auto names = component->existing_names(ctx);
  ASSERT_TRUE(names) << names.error().description();
  EXPECT_EQ(*names, (std::vector<std::string>{"etcd-main-delta-snap"}));
}

TEST_F(SnapshotLeaseTest, ExistingNamesIsEmptyWithoutLeases) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  auto names = component->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
}

// --- trigger delete ----------------------------------------------------------------

TEST_F(SnapshotLeaseTest, TriggerDeleteDeletesBySelectorAndSparesOtherEtcds) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  const auto other = env.create_etcd(etcd_with_store_json("etcd-other"));
  auto ctx = env.context(etcd);
  auto other_ctx = env.context(other);
  ASSERT_TRUE(component->sync(ctx));
  ASSERT_TRUE(component->sync(other_ctx));

  env.cluster().controls().reset_counts();
  auto deleted = component->trigger_delete(ctx);
  ASSERT_TRUE(deleted) << deleted.error().description();
  EXPECT_EQ(count("deletecollection"), 1);
  EXPECT_EQ(lease_names_in_namespace(),
            (std::vector<std::string>{"etcd-other-delta-snap", "etcd-other-full-snap"}));
  auto names = component->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
  EXPECT_TRUE(component->trigger_delete(ctx));  // nothing left: still fine
}

// --- errors ------------------------------------------------------------------------

TEST_F(SnapshotLeaseTest, GetErrorGivesGetSnapshotLease) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  env.cluster().controls().fail_next("get", "leases", 500);
  auto names = component->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetSnapshotLease);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
  ASSERT_TRUE(names.error().cause.has_value());
  EXPECT_EQ(names.error().cause->http_code, 500);
}

TEST_F(SnapshotLeaseTest, CreateErrorGivesSyncSnapshotLeaseAfterTryingBoth) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  env.cluster().controls().reset_counts();
  env.cluster().controls().fail_next("create", "leases", 500);
  auto synced = component->sync(ctx);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code, error_code::kSyncSnapshotLease);
  EXPECT_EQ(synced.error().operation, Operation::kSync);
  EXPECT_NE(synced.error().message.find("shoot--dev--test/etcd-main-delta-snap"), std::string::npos)
      << synced.error().message;
  EXPECT_EQ(count("create"), 2);
  EXPECT_EQ(lease_names_in_namespace(), (std::vector<std::string>{"etcd-main-full-snap"}));
}

TEST_F(SnapshotLeaseTest, PatchErrorGivesSyncSnapshotLease) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  patch_lease("etcd-main-full-snap", {{"metadata", {{"labels", {{"foreign", "x"}}}}}});
  env.cluster().controls().fail_next("patch", "leases", 500);
  auto synced = component->sync(ctx);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code, error_code::kSyncSnapshotLease);
  EXPECT_EQ(synced.error().operation, Operation::kSync);
}

TEST_F(SnapshotLeaseTest, BackupDisabledDeleteErrorGivesSyncSnapshotLease) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  api::Etcd disabled = etcd;
  disabled.spec.backup.store.reset();
  auto disabled_ctx = env.context(disabled);
  env.cluster().controls().fail_next("deletecollection", "leases", 500);
  auto synced = component->sync(disabled_ctx);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code, error_code::kSyncSnapshotLease);
  EXPECT_EQ(synced.error().operation, Operation::kSync);
  EXPECT_EQ(lease_names_in_namespace(), kBothLeases);
}

TEST_F(SnapshotLeaseTest, BackupDisabledListErrorGivesSyncSnapshotLease) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  env.cluster().controls().fail_next("list", "leases", 500);
  auto synced = component->sync(ctx);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code, error_code::kSyncSnapshotLease);
  EXPECT_EQ(synced.error().operation, Operation::kSync);
}

TEST_F(SnapshotLeaseTest, DeleteCollectionErrorGivesDeleteSnapshotLease) {
  const auto etcd = env.create_etcd(etcd_with_store_json());
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  env.cluster().controls().fail_next("deletecollection", "leases", 500);
  auto deleted = component->trigger_delete(ctx);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, error_code::kDeleteSnapshotLease);
  EXPECT_EQ(deleted.error().operation, Operation::kTriggerDelete);
  EXPECT_EQ(lease_names_in_namespace(), kBothLeases);
}

}  // namespace
}  // namespace druid::component
