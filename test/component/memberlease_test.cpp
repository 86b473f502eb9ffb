// Member leases (upstream's internal/component/memberlease/memberlease.go): the built object, and
// sync / existing names / trigger delete against the test API server.

#include "component/memberlease.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/annotations.hpp"
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

json etcd_with_prefix_json(int replicas = 3) {
  json etcd = test::base_etcd_json(replicas);
  etcd["spec"]["memberNamePrefix"] = "main";
  return etcd;
}

// What backup-restore's heartbeat writes on a member lease (etcd-backup-restore's
// pkg/health/heartbeat/heartbeat.go).
json sidecar_renewal() {
  return {{"metadata", {{"annotations", {{api::kTlsEnabledAnnotation, "true"}}}}},
          {"spec",
           {{"holderIdentity", "8e9e05c52164694d:cdf818194e3a8c32:Leader"},
            {"renewTime", "2024-05-01T10:00:00.000000Z"}}}};
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

class MemberLeaseTest : public ::testing::Test {
 protected:
  test::ComponentEnv env;
  ComponentPtr component = make_member_lease_component();

  json get_lease(const std::string& name) {
    auto lease = env.cluster().get(kLeases, kTestNamespace, name);
    EXPECT_TRUE(lease) << lease.error().what();
    return lease ? *lease : json();
  }
  bool lease_exists(const std::string& name) {
    return static_cast<bool>(env.cluster().get(kLeases, kTestNamespace, name));
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

// --- the built object --------------------------------------------------------

TEST(MemberLeaseBuilder, MatchesGolden) {
  const auto etcd = test::decode(test::base_etcd_json());
  EXPECT_TRUE(
      test::matches_golden(build_member_lease(etcd, "etcd-main-0"), "memberlease/lease.json"));
}

TEST(MemberLeaseBuilder, WithMemberNamePrefixMatchesGolden) {
  const auto etcd = test::decode(etcd_with_prefix_json());
  const auto name = api::member_lease_name(etcd, 1);
  EXPECT_EQ(name, "main-etcd-main-1");
  EXPECT_TRUE(test::matches_golden(build_member_lease(etcd, name),
                                   "memberlease/lease-member-name-prefix.json"));
}

// Spec and annotations belong to backup-restore: the desired object must not
// mention them, or create-or-patch would compare (and fight over) them.
TEST(MemberLeaseBuilder, ManagesMetadataOnly) {
  const auto lease = build_member_lease(test::decode(test::base_etcd_json()), "etcd-main-0");
  EXPECT_FALSE(lease.contains("spec"));
  EXPECT_FALSE(lease["metadata"].contains("annotations"));
  EXPECT_EQ(lease["metadata"].size(), 4U);  // name, namespace, labels, ownerReferences
}

TEST(MemberLeaseBuilder, Kind) {
  EXPECT_EQ(make_member_lease_component()->kind(), "MemberLease");
}

// --- sync ----------------------------------------------------------------------

TEST_F(MemberLeaseTest, SyncCreatesOneLeasePerMember) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  auto synced = component->sync(ctx);
  ASSERT_TRUE(synced) << synced.error().description();

  EXPECT_EQ(lease_names_in_namespace(),
            (std::vector<std::string>{"etcd-main-0", "etcd-main-1", "etcd-main-2"}));
  for (const auto& name : api::member_lease_names(etcd)) {
    const auto live = get_lease(name);
    EXPECT_TRUE(is_satisfied_by(build_member_lease(etcd, name), live)) << live.dump(2);
    EXPECT_EQ(live["metadata"]["ownerReferences"][0]["uid"], etcd.metadata.uid);
  }
  EXPECT_EQ(count("create"), 3);
}

TEST_F(MemberLeaseTest, SyncCreatesPrefixedLeases) {
  const auto etcd = env.create_etcd(etcd_with_prefix_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(lease_names_in_namespace(),
            (std::vector<std::string>{"main-etcd-main-0", "main-etcd-main-1", "main-etcd-main-2"}));
  EXPECT_EQ(get_lease("main-etcd-main-2")["metadata"]["labels"][api::kNameLabelKey],
            "main-etcd-main-2");
}

TEST_F(MemberLeaseTest, NoLeasesForZeroReplicas) {
  const auto etcd = env.create_etcd(test::base_etcd_json(0));
  auto ctx = env.context(etcd);
  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_TRUE(lease_names_in_namespace().empty());
  EXPECT_EQ(env.cluster().controls().write_count(), 0);
}

TEST_F(MemberLeaseTest, SecondSyncSendsNoWrite) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(env.cluster().controls().write_count(), 0);
}

TEST_F(MemberLeaseTest, RenewedLeaseKeepsSpecAndAnnotationWithoutWrite) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  patch_lease("etcd-main-0", sidecar_renewal());

  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(env.cluster().controls().write_count(), 0);

  const auto live = get_lease("etcd-main-0");
  EXPECT_EQ(live["spec"]["holderIdentity"], "8e9e05c52164694d:cdf818194e3a8c32:Leader");
  EXPECT_EQ(live["spec"]["renewTime"], "2024-05-01T10:00:00.000000Z");
  EXPECT_EQ(live["metadata"]["annotations"][api::kTlsEnabledAnnotation], "true");
}

TEST_F(MemberLeaseTest, ForeignLabelIsRemovedByOnePatchKeepingSidecarFields) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  patch_lease("etcd-main-1", sidecar_renewal());
  patch_lease("etcd-main-1", {{"metadata", {{"labels", {{"foreign", "x"}}}}}});

  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(count("patch"), 1);
  EXPECT_EQ(env.cluster().controls().write_count(), 1);

  const auto live = get_lease("etcd-main-1");
  EXPECT_EQ(live["metadata"]["labels"], json(api::member_lease_labels(etcd, "etcd-main-1")));
  EXPECT_EQ(live["spec"]["holderIdentity"], "8e9e05c52164694d:cdf818194e3a8c32:Leader");
  EXPECT_EQ(live["metadata"]["annotations"][api::kTlsEnabledAnnotation], "true");
}

TEST_F(MemberLeaseTest, ChangedManagedLabelIsRepaired) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  patch_lease("etcd-main-2", {{"metadata", {{"labels", {{api::kComponentLabelKey, "other"}}}}}});

  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(count("patch"), 1);
  EXPECT_EQ(get_lease("etcd-main-2")["metadata"]["labels"][api::kComponentLabelKey],
            api::component_label::kMemberLease);
}

// Scale-down is not handled (docs/compatibility.md): the leases of removed members stay.
TEST_F(MemberLeaseTest, ScaleDownKeepsExtraLeases) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  api::Etcd scaled = etcd;
  scaled.spec.replicas = 1;
  auto scaled_ctx = env.context(scaled);
  env.cluster().controls().reset_counts();
  ASSERT_TRUE(component->sync(scaled_ctx));
  EXPECT_EQ(env.cluster().controls().write_count(), 0);
  EXPECT_EQ(lease_names_in_namespace().size(), 3U);
}

// --- existing names ---------------------------------------------------------------

TEST_F(MemberLeaseTest, ExistingNamesListsOnlyLeasesControlledByTheEtcd) {
  const auto etcd = env.create_etcd(test::base_etcd_json(2));
  auto other_json = test::base_etcd_json(2);
  other_json["metadata"]["name"] = "etcd-other";
  const auto other = env.create_etcd(other_json);
  ASSERT_NE(other.metadata.uid, etcd.metadata.uid);
  auto ctx = env.context(etcd);
  auto other_ctx = env.context(other);
  ASSERT_TRUE(component->sync(ctx));
  ASSERT_TRUE(component->sync(other_ctx));

  // Carries etcd-main's labels, but its controller is another object.
  json impostor = build_member_lease(etcd, "etcd-main-9");
  impostor["metadata"]["ownerReferences"][0]["uid"] = other.metadata.uid;
  ASSERT_TRUE(env.cluster().create(kLeases, kTestNamespace, impostor));

  auto names = component->existing_names(ctx);
  ASSERT_TRUE(names) << names.error().description();
  EXPECT_EQ(sorted(*names), (std::vector<std::string>{"etcd-main-0", "etcd-main-1"}));
  auto other_names = component->existing_names(other_ctx);
  ASSERT_TRUE(other_names);
  EXPECT_EQ(sorted(*other_names), (std::vector<std::string>{"etcd-other-0", "etcd-other-1"}));
}

TEST_F(MemberLeaseTest, ExistingNamesIsEmptyWithoutLeases) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  auto names = component->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
}

// --- trigger delete ----------------------------------------------------------------

TEST_F(MemberLeaseTest, TriggerDeleteDeletesBySelectorAndSparesOtherEtcds) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto other_json = test::base_etcd_json(1);
  other_json["metadata"]["name"] = "etcd-other";
  const auto other = env.create_etcd(other_json);
  auto ctx = env.context(etcd);
  auto other_ctx = env.context(other);
  ASSERT_TRUE(component->sync(ctx));
  ASSERT_TRUE(component->sync(other_ctx));

  env.cluster().controls().reset_counts();
  auto deleted = component->trigger_delete(ctx);
  ASSERT_TRUE(deleted) << deleted.error().description();
  EXPECT_EQ(count("deletecollection"), 1);
  EXPECT_EQ(count("delete"), 0);
  EXPECT_EQ(lease_names_in_namespace(), (std::vector<std::string>{"etcd-other-0"}));
  auto names = component->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
}

TEST_F(MemberLeaseTest, TriggerDeleteWithoutLeasesSucceeds) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  EXPECT_TRUE(component->trigger_delete(ctx));
  EXPECT_TRUE(component->trigger_delete(ctx));
}

// --- errors ------------------------------------------------------------------------

TEST_F(MemberLeaseTest, ListErrorGivesListMemberLease) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  env.cluster().controls().fail_next("list", "leases", 500);
  auto names = component->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kListMemberLease);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
  ASSERT_TRUE(names.error().cause.has_value());
  EXPECT_EQ(names.error().cause->http_code, 500);
  EXPECT_NE(names.error().message.find("shoot--dev--test/etcd-main"), std::string::npos);
}

// Every lease is attempted even after one failed; the failure is returned.
TEST_F(MemberLeaseTest, CreateErrorGivesSyncMemberLeaseAfterTryingEveryLease) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  env.cluster().controls().reset_counts();
  env.cluster().controls().fail_next("create", "leases", 500);
  auto synced = component->sync(ctx);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code, error_code::kSyncMemberLease);
  EXPECT_EQ(synced.error().operation, Operation::kSync);
  EXPECT_NE(synced.error().message.find("shoot--dev--test/etcd-main-0"), std::string::npos)
      << synced.error().message;
  EXPECT_EQ(count("create"), 3);
  EXPECT_EQ(lease_names_in_namespace(), (std::vector<std::string>{"etcd-main-1", "etcd-main-2"}));

  // The next sync completes the set.
  ASSERT_TRUE(component->sync(ctx));
  EXPECT_EQ(lease_names_in_namespace().size(), 3U);
}

TEST_F(MemberLeaseTest, PatchErrorGivesSyncMemberLease) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  patch_lease("etcd-main-1", {{"metadata", {{"labels", {{"foreign", "x"}}}}}});
  env.cluster().controls().fail_next("patch", "leases", 500);
  auto synced = component->sync(ctx);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code, error_code::kSyncMemberLease);
  EXPECT_EQ(synced.error().operation, Operation::kSync);
  EXPECT_NE(synced.error().message.find("shoot--dev--test/etcd-main-1"), std::string::npos);
}

TEST_F(MemberLeaseTest, DeleteCollectionErrorGivesDeleteMemberLease) {
  const auto etcd = env.create_etcd(test::base_etcd_json(3));
  auto ctx = env.context(etcd);
  ASSERT_TRUE(component->sync(ctx));
  env.cluster().controls().fail_next("deletecollection", "leases", 500);
  auto deleted = component->trigger_delete(ctx);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, error_code::kDeleteMemberLease);
  EXPECT_EQ(deleted.error().operation, Operation::kTriggerDelete);
  EXPECT_EQ(lease_names_in_namespace().size(), 3U);
}

}  // namespace
}  // namespace druid::component
