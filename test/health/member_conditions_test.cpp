// Conditions computed from members and member leases: Ready, AllMembersReady,
// ClusterIDMismatch, BootstrappedWithExistingCluster; and AllMembersUpdated.

#include <gtest/gtest.h>

#include "health/condition_all_members_ready.hpp"
#include "health/condition_all_members_updated.hpp"
#include "health/condition_bootstrapped_with_existing_cluster.hpp"
#include "health/condition_cluster_id_mismatch.hpp"
#include "health/condition_ready.hpp"
#include "health/health_support.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders
using nlohmann::json;

// ---------------------------------------------------------------------------
// Ready

struct ReadyCase {
  std::vector<api::EtcdMemberStatus> members;
  const char* status;
  const char* reason;
  const char* message;
};

TEST(ReadyCondition, QuorumOfMembersNotNotReady) {
  const ReadyCase cases[] = {
      {{},
       "Unknown",
       "NoMembersInStatus",
       "Cannot determine readiness since status has no members"},
      {members({"Ready"}), "True", "Quorate", "The majority of ETCD members is ready"},
      {members({"NotReady"}), "False", "QuorumLost", "The majority of ETCD members is not ready"},
      {members({"Unknown"}), "True", "Quorate", "The majority of ETCD members is ready"},
      {members({"Ready", "Ready", "Ready"}), "True", "Quorate",
       "The majority of ETCD members is ready"},
      {members({"Ready", "NotReady", "Ready"}), "True", "Quorate",
       "The majority of ETCD members is ready"},
      {members({"Ready", "NotReady", "NotReady"}), "False", "QuorumLost",
       "The majority of ETCD members is not ready"},
      // Unknown counts as ready for quorum.
      {members({"Unknown", "Unknown", "NotReady"}), "True", "Quorate",
       "The majority of ETCD members is ready"},
      {members({"Ready", "NotReady"}), "False", "QuorumLost",
       "The majority of ETCD members is not ready"},
      {members({"Ready", "Ready", "NotReady", "NotReady", "Ready"}), "True", "Quorate",
       "The majority of ETCD members is ready"},
  };
  for (const auto& c : cases) {
    const CheckResult r = check_ready(c.members);
    SCOPED_TRACE(::testing::Message() << c.members.size() << " members, expect " << c.reason);
    EXPECT_EQ(r.type, "Ready");
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.reason, c.reason);
    EXPECT_EQ(r.message, c.message);
  }
}

// ---------------------------------------------------------------------------
// AllMembersReady

TEST(AllMembersReadyCondition, Table) {
  struct Case {
    std::vector<api::EtcdMemberStatus> members;
    int replicas;
    const char* status;
    const char* reason;
    const char* message;
  };
  const Case cases[] = {
      {{},
       3,
       "Unknown",
       "NoMembersInStatus",
       "Cannot determine readiness since status has no members"},
      {members({"Ready", "Ready", "Ready"}), 3, "True", "AllMembersReady", "All members are ready"},
      // Fewer members than replicas: not all have joined.
      {members({"Ready", "Ready"}), 3, "False", "NotAllMembersReady",
       "At least one member is not ready"},
      {members({"Ready", "Unknown", "Ready"}), 3, "False", "NotAllMembersReady",
       "At least one member is not ready"},
      {members({"Ready", "Ready", "NotReady"}), 3, "False", "NotAllMembersReady",
       "At least one member is not ready"},
      {members({"Ready"}), 1, "True", "AllMembersReady", "All members are ready"},
  };
  for (const auto& c : cases) {
    const CheckResult r = check_all_members_ready(c.members, c.replicas);
    EXPECT_EQ(r.type, "AllMembersReady");
    EXPECT_EQ(r.status, c.status) << c.members.size() << "/" << c.replicas;
    EXPECT_EQ(r.reason, c.reason);
    EXPECT_EQ(r.message, c.message);
  }
}

// ---------------------------------------------------------------------------
// AllMembersUpdated

TEST(AllMembersUpdatedCondition, TrueWhenRolledOutToEveryReplica) {
  const json sts = statefulset_json(3);
  const CheckResult r = check_all_members_updated(etcd(3), &sts, std::nullopt);
  EXPECT_EQ(r, (CheckResult{"AllMembersUpdated", "True", "AllMembersUpdated",
                            "All members reflect latest desired spec"}));
}

TEST(AllMembersUpdatedCondition, FalseWhileAnyRuleFails) {
  const CheckResult not_updated{"AllMembersUpdated", "False", "NotAllMembersUpdated",
                                "At least one member is not yet updated"};
  std::vector<std::pair<const char*, json>> variants;
  json s = statefulset_json(3);
  s["status"]["observedGeneration"] = 1;
  variants.emplace_back("generation not observed", s);
  s = statefulset_json(3);
  s["status"]["updatedReplicas"] = 2;
  variants.emplace_back("updated replicas short", s);
  s = statefulset_json(3);
  s["status"]["updateRevision"] = "etcd-main-def";
  variants.emplace_back("revision differs", s);
  s = statefulset_json(3);
  s["spec"]["replicas"] = 5;
  variants.emplace_back("scaling out", s);
  for (const auto& [name, sts] : variants) {
    EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::nullopt), not_updated) << name;
  }
}

TEST(AllMembersUpdatedCondition, UnknownWithoutStatefulSet) {
  EXPECT_EQ(check_all_members_updated(etcd(3), nullptr, std::nullopt),
            (CheckResult{"AllMembersUpdated", "Unknown", "StatefulSetNotFound",
                         "StatefulSet etcd-main not found for etcd"}));
  const json sts = statefulset_json(3);
  EXPECT_EQ(check_all_members_updated(etcd(3), &sts, std::string("connection refused")),
            (CheckResult{"AllMembersUpdated", "Unknown", "UnableToFetchStatefulSet",
                         "Unable to fetch StatefulSet for etcd: connection refused"}));
}

// ---------------------------------------------------------------------------
// ClusterIDMismatch

std::vector<ObjectPtr> leases_with(std::initializer_list<const char*> holders) {
  std::vector<ObjectPtr> leases;
  int i = 0;
  for (const char* holder : holders) {
    leases.push_back(lease("etcd-main-" + std::to_string(i++), std::string(holder), t0()));
  }
  return leases;
}

TEST(ClusterIdMismatchCondition, SameClusterIdIsNoMismatch) {
  const auto r = check_cluster_id_mismatch(
      etcd(3), members({"Ready", "Ready", "Ready"}),
      leases_with({"a:c1:Leader", "b:c1:Member", "c:c1:Member"}), std::nullopt);
  EXPECT_EQ(r, (CheckResult{"ClusterIDMismatch", "False", "NoClusterIDMismatchDetected",
                            "No cluster ID mismatch detected among ETCD members"}));
}

TEST(ClusterIdMismatchCondition, TwoClusterIdsAreAMismatch) {
  const auto r = check_cluster_id_mismatch(
      etcd(3), members({"Ready", "NotReady", "Ready"}),
      leases_with({"a:c1:Leader", "b:c1:Member", "c:c2:Leader"}), std::nullopt);
  EXPECT_EQ(r, (CheckResult{"ClusterIDMismatch", "True", "MultipleClusterIDsDetected",
                            "Multiple cluster IDs detected among ETCD members"}));
}

TEST(ClusterIdMismatchCondition, UnknownMembersAreSkipped) {
  const auto r = check_cluster_id_mismatch(
      etcd(3), members({"Ready", "Ready", "Unknown"}),
      leases_with({"a:c1:Leader", "b:c1:Member", "c:c2:Leader"}), std::nullopt);
  EXPECT_EQ(r.status, "False");
  EXPECT_EQ(r.reason, "NoClusterIDMismatchDetected");
}

TEST(ClusterIdMismatchCondition, MembersNotInStatusAreSkipped) {
  // Only etcd-main-0 is a member (the others have not joined).
  const auto r = check_cluster_id_mismatch(
      etcd(3), members({"Ready"}), leases_with({"a:c1:Leader", "b:c2:Member", "c:c3:Leader"}),
      std::nullopt);
  EXPECT_EQ(r.status, "False");
}

TEST(ClusterIdMismatchCondition, NoClusterIdFromLegacyHoldersOrNoMembers) {
  const CheckResult none{"ClusterIDMismatch", "Unknown", "NoClusterIDDetected",
                         "No cluster ID could be detected from known ETCD members"};
  EXPECT_EQ(
      check_cluster_id_mismatch(etcd(3), members({"Ready", "Ready", "Ready"}),
                                leases_with({"a:Leader", "b:Member", "c:Member"}), std::nullopt),
      none);
  EXPECT_EQ(check_cluster_id_mismatch(etcd(3), {}, leases_with({"a:c1:Leader"}), std::nullopt),
            none);
  EXPECT_EQ(check_cluster_id_mismatch(etcd(3), members({"Unknown", "Unknown", "Unknown"}),
                                      leases_with({"a:c1:Leader", "b:c2:Member", "c:c3:Member"}),
                                      std::nullopt),
            none);
}

TEST(ClusterIdMismatchCondition, LegacyAndNewHoldersMixed) {
  const auto r =
      check_cluster_id_mismatch(etcd(3), members({"Ready", "Ready", "Ready"}),
                                leases_with({"a:Leader", "b:c1:Member", "c:Member"}), std::nullopt);
  EXPECT_EQ(r.status, "False");
}

TEST(ClusterIdMismatchCondition, UnparsableHolderIdentityIsReported) {
  auto leases = leases_with({"a:c1:Leader", "garbage", "c:c1:Member"});
  EXPECT_EQ(check_cluster_id_mismatch(etcd(3), members({"Ready", "Ready"}), leases, std::nullopt),
            (CheckResult{"ClusterIDMismatch", "Unknown", "UnableToParseLeaseHolderIdentity",
                         "Unable to parse Lease etcd-main-1 holder identity: unexpected lease "
                         "holder identity format: garbage"}));
  leases[1] = lease("etcd-main-1", std::nullopt, std::nullopt);
  EXPECT_EQ(check_cluster_id_mismatch(etcd(3), members({"Ready"}), leases, std::nullopt).message,
            "Unable to parse Lease etcd-main-1 holder identity: lease holder identity is nil");
}

TEST(ClusterIdMismatchCondition, MissingLeasesAreSkippedAndReadErrorsReported) {
  std::vector<ObjectPtr> only_first = {lease("etcd-main-0", "a:c1:Leader", t0())};
  EXPECT_EQ(check_cluster_id_mismatch(etcd(3), members({"Ready"}), only_first, std::nullopt).status,
            "False");
  EXPECT_EQ(check_cluster_id_mismatch(etcd(3), members({"Ready"}), only_first,
                                      std::string("the server is currently unable")),
            (CheckResult{"ClusterIDMismatch", "Unknown", "UnableToFetchLease",
                         "Unable to fetch Lease etcd-main-0: the server is currently unable"}));
}

// ---------------------------------------------------------------------------
// BootstrappedWithExistingCluster

api::Etcd joining_etcd(int replicas = 3) {
  json j = druid::test::base_etcd_json(replicas);
  j["spec"]["etcd"]["bootstrapWithExistingCluster"] = {
      {"members", {{{"name", "source-0"}, {"peerUrls", {"http://source-0.source-peer:2380"}}}}},
      {"clientEndpoints", {"http://source-client:2379"}}};
  return druid::test::decode(j);
}

TEST(BootstrappedCondition, AbsentWithoutTheSpecField) {
  EXPECT_EQ(check_bootstrapped_with_existing_cluster(etcd(3), members({"Ready"})), std::nullopt);
  json j = druid::test::base_etcd_json(3);
  j["spec"]["etcd"]["bootstrapWithExistingCluster"] = {{"members", json::array()},
                                                       {"clientEndpoints", json::array()}};
  EXPECT_EQ(check_bootstrapped_with_existing_cluster(druid::test::decode(j), members({"Ready"})),
            std::nullopt);
}

TEST(BootstrappedCondition, InProgressUntilEveryMemberIsReady) {
  const api::Etcd e = joining_etcd(3);
  auto r = check_bootstrapped_with_existing_cluster(e, members({"Ready", "Ready"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (CheckResult{"BootstrappedWithExistingCluster", "False", "BootstrapInProgress",
                             "Not all members have joined the cluster yet"}));
  r = check_bootstrapped_with_existing_cluster(e, members({"Ready", "Unknown", "Ready"}));
  EXPECT_EQ(r->message, "Not all members are ready");
  EXPECT_EQ(r->status, "False");
  r = check_bootstrapped_with_existing_cluster(e, members({"Ready", "Ready", "Ready"}));
  EXPECT_EQ(*r, (CheckResult{"BootstrappedWithExistingCluster", "True", "BootstrapSucceeded",
                             "All members have successfully joined the existing cluster"}));
}

TEST(BootstrappedCondition, StickyOnceRecordedInStatus) {
  api::Etcd e = joining_etcd(3);
  e.status = api::EtcdStatus{};
  e.status->bootstrap_with_existing_cluster = api::BootstrapWithExistingClusterStatus{
      "2024-05-01T08:00:00Z", {api::BootstrapMemberStatus{"source-0", {"http://x:2380"}, {}}}, {}};
  auto r = check_bootstrapped_with_existing_cluster(e, members({"NotReady", "NotReady"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "True");
  EXPECT_EQ(r->reason, "BootstrapSucceeded");
  // Even if the spec field were gone.
  e.spec.etcd.bootstrap_with_existing_cluster.reset();
  EXPECT_EQ(check_bootstrapped_with_existing_cluster(e, {})->status, "True");
}

}  // namespace
}  // namespace druid::health
