#include "health/member_status.hpp"

#include <gtest/gtest.h>

#include "health/health_support.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders
using nlohmann::json;

// ---------------------------------------------------------------------------
// Holder identity

TEST(HolderIdentity, ParsesTheThreeTokenForm) {
  auto parsed = parse_holder_identity(lease_json("l", "1a2b:c0ffee:Leader", t0()));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (HolderIdentity{"1a2b", "c0ffee", "Leader"}));
}

TEST(HolderIdentity, ParsesTheLegacyTwoTokenFormWithoutClusterId) {
  auto parsed = parse_holder_identity(lease_json("l", "1a2b:Member", t0()));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (HolderIdentity{"1a2b", std::nullopt, "Member"}));
}

TEST(HolderIdentity, UnknownRoleTextGivesNoRole) {
  auto parsed = parse_holder_identity(lease_json("l", "1a2b:c0ffee:Learner", t0()));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->role, std::nullopt);
  EXPECT_EQ(parsed->cluster_id, "c0ffee");
}

TEST(HolderIdentity, RejectsOtherFormsWithUpstreamWording) {
  struct Case {
    json holder;
    std::string error;
  };
  const Case cases[] = {
      {nullptr, "lease holder identity is nil"},
      {42, "lease holder identity is nil"},
      {"justanid", "unexpected lease holder identity format: justanid"},
      {"a:b:c:d", "unexpected lease holder identity format: a:b:c:d"},
  };
  for (const auto& c : cases) {
    json lease = lease_json("l", std::nullopt, t0());
    if (!c.holder.is_null()) lease["spec"]["holderIdentity"] = c.holder;
    auto parsed = parse_holder_identity(lease);
    ASSERT_FALSE(parsed.has_value()) << c.holder.dump();
    EXPECT_EQ(parsed.error(), c.error);
  }
}

TEST(HolderIdentity, ToleratesObjectsWithoutSpec) {
  EXPECT_FALSE(parse_holder_identity(json::object()).has_value());
  EXPECT_FALSE(parse_holder_identity(json::array()).has_value());
  EXPECT_FALSE(parse_holder_identity(json{{"spec", "oops"}}).has_value());
}

TEST(LeaseRenewTime, ReadsMicroTimeAndSkipsGarbage) {
  EXPECT_EQ(lease_renew_time(lease_json("l", "a:Leader", t0() + 1500ms)), t0() + 1500ms);
  EXPECT_EQ(lease_renew_time(lease_json("l", "a:Leader", std::nullopt)), std::nullopt);
  json bad = lease_json("l", "a:Leader", std::nullopt);
  bad["spec"]["renewTime"] = "yesterday";
  EXPECT_EQ(lease_renew_time(bad), std::nullopt);
  bad["spec"]["renewTime"] = 12;
  EXPECT_EQ(lease_renew_time(bad), std::nullopt);
}

// ---------------------------------------------------------------------------
// Member readiness timing (thresholds 1m unknown, 5m not-ready)

struct TimingCase {
  const char* name;
  std::chrono::nanoseconds lease_age;
  const char* containers_ready;  // "" = no pod at all
  const char* status;
  const char* reason;
};

class MemberTiming : public ::testing::TestWithParam<TimingCase> {};

TEST_P(MemberTiming, ClassifiesByLeaseAgeAndPod) {
  const auto& c = GetParam();
  const api::Etcd e = etcd(1);
  std::vector<ObjectPtr> leases = {lease("etcd-main-0", "1:2:Leader", t0() - c.lease_age)};
  std::vector<ObjectPtr> pods;
  if (*c.containers_ready != '\0') pods.push_back(pod("etcd-main-0", c.containers_ready));
  const auto result = check_members(e, MemberInputs{leases, pods, false, {}, t0()});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].status, c.status);
  EXPECT_EQ(result[0].reason, c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Thresholds, MemberTiming,
    ::testing::Values(
        TimingCase{"Fresh", 0s, "True", "Ready", "LeaseSucceeded"},
        TimingCase{"FreshWithoutPod", 30s, "", "Ready", "LeaseSucceeded"},
        TimingCase{"ExactlyUnknownThreshold", 60s, "False", "Ready", "LeaseSucceeded"},
        TimingCase{"ExpiredPodReady", 61s, "True", "Unknown", "LeaseExpired"},
        TimingCase{"ExpiredContainersNotReady", 90s, "False", "NotReady", "ContainersNotReady"},
        TimingCase{"ExpiredPodMissing", 90s, "", "NotReady", "ContainersNotReady"},
        TimingCase{"ExactlyGraceEnd", 6min, "True", "Unknown", "LeaseExpired"},
        TimingCase{"GracePeriodExceeded", 6min + 1s, "True", "NotReady",
                   "UnknownGracePeriodExceeded"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MemberStatus, PodWithoutContainersReadyConditionIsNotReady) {
  const api::Etcd e = etcd(1);
  std::vector<ObjectPtr> leases = {lease("etcd-main-0", "1:2:Leader", t0() - 2min)};
  std::vector<ObjectPtr> pods = {pod("etcd-main-0", "")};
  const auto result = check_members(e, MemberInputs{leases, pods, false, {}, t0()});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].reason, "ContainersNotReady");
}

TEST(MemberStatus, UnreadablePodsKeepAnExpiredMemberUnknown) {
  const api::Etcd e = etcd(1);
  std::vector<ObjectPtr> leases = {lease("etcd-main-0", "1:2:Leader", t0() - 2min)};
  std::vector<ObjectPtr> pods;
  const auto result = check_members(e, MemberInputs{leases, pods, true, {}, t0()});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].status, "Unknown");
  EXPECT_EQ(result[0].reason, "LeaseExpired");
}

TEST(MemberStatus, ConfiguredThresholdsApply) {
  const api::Etcd e = etcd(1);
  std::vector<ObjectPtr> leases = {lease("etcd-main-0", "1:2:Leader", t0() - 20s)};
  std::vector<ObjectPtr> pods = {pod("etcd-main-0", "True")};
  MemberThresholds tight{10s, 5s};
  auto result = check_members(e, MemberInputs{leases, pods, false, tight, t0()});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].reason, "UnknownGracePeriodExceeded");
  tight = {15s, 1min};
  result = check_members(e, MemberInputs{leases, pods, false, tight, t0()});
  EXPECT_EQ(result[0].reason, "LeaseExpired");
}

TEST(MemberStatus, IdAndRoleFromBothHolderForms) {
  const api::Etcd e = etcd(3);
  std::vector<ObjectPtr> leases = {lease("etcd-main-0", "a1:c1:Leader", t0()),
                                   lease("etcd-main-1", "b2:Member", t0()),
                                   lease("etcd-main-2", "c3:c1:Observer", t0())};
  std::vector<ObjectPtr> pods;
  const auto result = check_members(e, MemberInputs{leases, pods, false, {}, t0()});
  ASSERT_EQ(result.size(), 3u);
  EXPECT_EQ(result[0].id, "a1");
  EXPECT_EQ(result[0].role, "Leader");
  EXPECT_EQ(result[1].id, "b2");
  EXPECT_EQ(result[1].role, "Member");
  EXPECT_EQ(result[2].id, "c3");
  EXPECT_EQ(result[2].role, std::nullopt);
}

TEST(MemberStatus, SkipsMissingBootstrappingAndMalformedLeases) {
  const api::Etcd e = etcd(5);
  json bad_time = lease_json("etcd-main-3", "d:Member", std::nullopt);
  bad_time["spec"]["renewTime"] = "not-a-time";
  std::vector<ObjectPtr> leases = {
      nullptr,
      lease("etcd-main-0", "a:c:Leader", t0()),          // listed
      lease("etcd-main-1", std::nullopt, t0()),          // no holder identity
      lease("etcd-main-2", "c:c:Member", std::nullopt),  // still bootstrapping
      ptr(bad_time),                                     // unparsable renewTime
      // etcd-main-4 missing
      lease("etcd-main-5", "f:c:Member", t0()),   // not an expected ordinal
      lease("other-etcd-0", "g:c:Member", t0()),  // another Etcd
      ptr(json{{"metadata", "garbage"}}),
      ptr(json::array()),
  };
  std::vector<ObjectPtr> pods;
  const auto result = check_members(e, MemberInputs{leases, pods, false, {}, t0()});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].name, "etcd-main-0");
}

TEST(MemberStatus, MalformedHolderIdentityIsSkipped) {
  const api::Etcd e = etcd(2);
  std::vector<ObjectPtr> leases = {lease("etcd-main-0", "too:many:tokens:here", t0()),
                                   lease("etcd-main-1", "b:c:Member", t0())};
  std::vector<ObjectPtr> pods;
  const auto result = check_members(e, MemberInputs{leases, pods, false, {}, t0()});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].name, "etcd-main-1");
}

TEST(MemberStatus, ZeroReplicasHaveNoMembers) {
  const api::Etcd e = etcd(0);
  std::vector<ObjectPtr> leases = {lease("etcd-main-0", "a:c:Leader", t0())};
  std::vector<ObjectPtr> pods;
  EXPECT_TRUE(check_members(e, MemberInputs{leases, pods, false, {}, t0()}).empty());
}

TEST(MemberStatus, MemberNamePrefixNamesLeaseAndStripsForThePod) {
  json j = druid::test::base_etcd_json(1);
  j["spec"]["memberNamePrefix"] = "pfx";
  const api::Etcd e = druid::test::decode(j);
  std::vector<ObjectPtr> leases = {lease("pfx-etcd-main-0", "a:c:Leader", t0() - 2min)};
  std::vector<ObjectPtr> ready_pod = {pod("etcd-main-0", "True")};
  auto result = check_members(e, MemberInputs{leases, ready_pod, false, {}, t0()});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].name, "pfx-etcd-main-0");
  EXPECT_EQ(result[0].reason, "LeaseExpired");  // the pod `etcd-main-0` was found
  std::vector<ObjectPtr> wrong_pod = {pod("pfx-etcd-main-0", "True")};
  result = check_members(e, MemberInputs{leases, wrong_pod, false, {}, t0()});
  EXPECT_EQ(result[0].reason, "ContainersNotReady");
}

// ---------------------------------------------------------------------------
// Building status.members

TEST(BuildMembers, NewMembersTransitionNowAndAreSortedByName) {
  std::vector<api::EtcdMemberStatus> results = {member("etcd-main-2", "Ready"),
                                                member("etcd-main-10", "Ready"),
                                                member("etcd-main-0", "Unknown")};
  const auto built = build_members({}, results, t0());
  ASSERT_EQ(built.size(), 3u);
  EXPECT_EQ(built[0].name, "etcd-main-0");
  EXPECT_EQ(built[1].name, "etcd-main-10");
  EXPECT_EQ(built[2].name, "etcd-main-2");
  for (const auto& m : built) EXPECT_EQ(m.last_transition_time, "2024-05-01T10:00:00Z");
}

TEST(BuildMembers, LastTransitionTimeKeptOnlyWhileStatusUnchanged) {
  const std::string before = "2024-05-01T09:00:00Z";
  std::vector<api::EtcdMemberStatus> previous = {member("etcd-main-0", "Ready", before),
                                                 member("etcd-main-1", "Ready", before),
                                                 member("etcd-main-2", "Ready", before)};
  auto changed_reason = member("etcd-main-0", "Ready");
  changed_reason.reason = "LeaseSucceeded";
  changed_reason.role = "Leader";
  std::vector<api::EtcdMemberStatus> results = {changed_reason, member("etcd-main-1", "Unknown")};
  const auto built = build_members(previous, results, t0() + 500ms);
  ASSERT_EQ(built.size(), 2u);  // etcd-main-2 no longer reported: dropped
  EXPECT_EQ(built[0].last_transition_time, before);
  EXPECT_EQ(built[0].role, "Leader");
  EXPECT_EQ(built[0].reason, "LeaseSucceeded");
  EXPECT_EQ(built[1].status, "Unknown");
  EXPECT_EQ(built[1].last_transition_time, "2024-05-01T10:00:00Z");
}

TEST(BuildMembers, MissingPreviousTransitionTimeIsFilledIn) {
  std::vector<api::EtcdMemberStatus> previous = {member("etcd-main-0", "Ready", "")};
  const auto built = build_members(previous, {member("etcd-main-0", "Ready")}, t0());
  EXPECT_EQ(built[0].last_transition_time, "2024-05-01T10:00:00Z");
}

}  // namespace
}  // namespace druid::health
