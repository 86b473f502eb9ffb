// The per-cycle procedure of quorum-aware updates (docs/quorum-aware-updates.md,
// steps 1-5 of "What the controller does"), table-driven: each row is a cluster state and the one
// decision a cycle takes in it.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "controller/ondelete/pod_facts.hpp"
#include "controller/ondelete/update_procedure.hpp"

namespace druid::controller::ondelete {
namespace {

constexpr const char* kOld = "rev-old";
constexpr const char* kNew = "rev-new";

using S = ContainerState;

// A pod row: ordinal, revision, participating, container state, role.
struct Pod {
  int ordinal;
  std::string revision;
  bool ready = true;
  S state = S::kAlive;
  Role role = Role::kMember;
  bool terminating = false;
  std::optional<std::uint64_t> id = std::nullopt;
};

Pod up(int ordinal, const std::string& revision, Role role = Role::kMember) {
  return Pod{ordinal, revision, true, S::kAlive, role};
}
Pod down(int ordinal, const std::string& revision, S state = S::kAlive) {
  return Pod{ordinal, revision, false, state, Role::kUnknown};
}
Pod terminating(Pod pod) {
  pod.terminating = true;
  return pod;
}

PodFacts facts_of(const Pod& p) {
  PodFacts f;
  f.ordinal = p.ordinal;
  f.name = "etcd-main-" + std::to_string(p.ordinal);
  f.uid = "uid-" + f.name + "-" + p.revision;
  f.revision = p.revision;
  f.participating = p.ready;
  f.state = p.state;
  f.role = p.role;
  f.terminating = p.terminating;
  f.member_id = p.id.value_or(0x1000 + static_cast<std::uint64_t>(p.ordinal));
  return f;
}

RolloutFacts rollout(int replicas, const std::vector<Pod>& pods,
                     const std::string& revision = kNew) {
  RolloutFacts r;
  r.replicas = replicas;
  r.update_revision = revision;
  for (const auto& p : pods) r.pods.push_back(facts_of(p));
  return r;
}

struct Row {
  const char* name;
  RolloutFacts facts;
  Action action;
  Reason reason;
  std::optional<int> pod;  // the ordinal deleted (or waited for)
};

std::ostream& operator<<(std::ostream& os, const Row& row) {
  return os << row.name;
}

class UpdateProcedure : public ::testing::TestWithParam<Row> {};

TEST_P(UpdateProcedure, DecidesOneStep) {
  const Row& row = GetParam();
  const Decision d = decide(row.facts);
  EXPECT_EQ(to_string(d.action), std::string(to_string(row.action))) << d.explanation;
  EXPECT_EQ(static_cast<int>(d.reason), static_cast<int>(row.reason)) << d.explanation;
  if (row.pod) {
    ASSERT_TRUE(d.pod) << d.explanation;
    EXPECT_EQ(d.pod->ordinal, *row.pod) << d.explanation;
  } else if (row.action == Action::kDelete) {
    ADD_FAILURE() << "row must name the deleted pod";
  }
  EXPECT_FALSE(d.explanation.empty());
}

const Role L = Role::kLeader;
const Role M = Role::kMember;

INSTANTIATE_TEST_SUITE_P(
    Rows, UpdateProcedure,
    ::testing::Values(
        // Step 1.
        Row{"1 member, updated: done", rollout(1, {up(0, kNew, L)}), Action::kDone,
            Reason::kAllUpdated, std::nullopt},
        Row{"3 members, updated: done", rollout(3, {up(0, kNew), up(1, kNew, L), up(2, kNew)}),
            Action::kDone, Reason::kAllUpdated, std::nullopt},
        Row{"no updateRevision yet: wait", rollout(3, {up(0, kOld)}, ""), Action::kWait,
            Reason::kNoUpdateRevision, std::nullopt},
        // Step 2: Dead, then Transient, then Alive-not-ready.
        Row{"step 2: dead first",
            rollout(3, {down(0, kOld, S::kAlive), down(1, kOld, S::kTransient),
                        down(2, kOld, S::kDead)}),
            Action::kDelete, Reason::kOutdatedNotParticipating, 2},
        Row{"step 2: starting before alive",
            rollout(3, {down(0, kOld, S::kAlive), down(1, kOld, S::kTransient), up(2, kNew)}),
            Action::kDelete, Reason::kOutdatedNotParticipating, 1},
        Row{"step 2: no status yet before alive-not-ready",
            rollout(3, {down(0, kOld, S::kAlive), down(1, kOld, S::kUnknown), up(2, kOld, L)}),
            Action::kDelete, Reason::kOutdatedNotParticipating, 1},
        Row{"step 2: alive-not-ready last",
            rollout(3, {down(0, kOld, S::kAlive), up(1, kOld, L), up(2, kOld)}), Action::kDelete,
            Reason::kOutdatedNotParticipating, 0},
        Row{"step 2: P-0 unhealthy goes first, quorum kept",
            rollout(3, {down(0, kOld, S::kDead), up(1, kOld, L), up(2, kOld)}), Action::kDelete,
            Reason::kOutdatedNotParticipating, 0},
        Row{"step 2 proceeds although a member is missing (the unavailable-member rule)",
            rollout(3, {down(1, kOld, S::kDead), up(2, kOld, L)}), Action::kDelete,
            Reason::kOutdatedNotParticipating, 1},
        Row{"step 2 proceeds although an updated pod is down",
            rollout(3, {down(0, kNew, S::kTransient), down(1, kOld, S::kAlive), up(2, kOld, L)}),
            Action::kDelete, Reason::kOutdatedNotParticipating, 1},
        Row{"two members down (quorum lost): one of them",
            rollout(3, {down(0, kOld, S::kAlive), down(1, kOld, S::kDead), up(2, kOld)}),
            Action::kDelete, Reason::kOutdatedNotParticipating, 1},
        Row{"two members down, one replaced: the other next, without waiting",
            rollout(3, {down(0, kOld, S::kAlive), down(1, kNew, S::kTransient), up(2, kOld)}),
            Action::kDelete, Reason::kOutdatedNotParticipating, 0},
        Row{"1 member down: delete it", rollout(1, {down(0, kOld, S::kDead)}), Action::kDelete,
            Reason::kOutdatedNotParticipating, 0},
        // Step 3.
        Row{"step 3: updated pod not back yet",
            rollout(3, {up(0, kOld), down(1, kNew, S::kTransient), up(2, kOld, L)}), Action::kWait,
            Reason::kUpdatedNotParticipating, 1},
        Row{"broken revision holds at step 3",
            rollout(3, {up(0, kOld, L), up(1, kOld), down(2, kNew, S::kDead)}), Action::kWait,
            Reason::kUpdatedNotParticipating, 2},
        Row{"broken revision holds at 5 members",
            rollout(5, {up(0, kOld, L), up(1, kOld), up(2, kOld), up(3, kOld),
                        down(4, kNew, S::kDead)}),
            Action::kWait, Reason::kUpdatedNotParticipating, 4},
        // The unavailable-member rule: foreign trouble blocks participating deletions.
        Row{"6c: a member's pod is missing", rollout(3, {up(0, kOld), up(1, kOld, L)}),
            Action::kWait, Reason::kMemberUnavailable, std::nullopt},
        Row{"6c: an updated member is terminating",
            rollout(3, {up(0, kOld), terminating(up(1, kNew)), up(2, kOld, L)}), Action::kWait,
            Reason::kMemberUnavailable, 1},
        Row{"6c: an outdated member is already terminating",
            rollout(3, {up(0, kNew), terminating(up(1, kOld)), up(2, kOld, L)}), Action::kWait,
            Reason::kOutdatedTerminating, 1},
        Row{"6c: a terminating not-ready outdated pod is not deleted again",
            rollout(3, {up(0, kOld), terminating(down(1, kOld, S::kAlive)), up(2, kOld, L)}),
            Action::kWait, Reason::kOutdatedTerminating, 1},
        // Step 4: followers first, the leader last.
        Row{"step 4, 3 members: lowest follower first",
            rollout(3, {up(0, kOld, L), up(1, kOld), up(2, kOld)}), Action::kDelete,
            Reason::kFollower, 1},
        Row{"step 4, 3 members: the other follower next",
            rollout(3, {up(0, kOld, L), up(1, kNew), up(2, kOld)}), Action::kDelete,
            Reason::kFollower, 2},
        Row{"step 4, 3 members: leader last",
            rollout(3, {up(0, kOld, L), up(1, kNew), up(2, kNew)}), Action::kDelete,
            Reason::kLeader, 0},
        Row{"step 4: unknown role after followers",
            rollout(3, {up(0, kOld, Role::kUnknown), up(1, kOld, L), up(2, kOld)}), Action::kDelete,
            Reason::kFollower, 2},
        Row{"step 4: unknown role before the leader",
            rollout(3, {up(0, kOld, Role::kUnknown), up(1, kOld, L), up(2, kNew)}), Action::kDelete,
            Reason::kUnknownRole, 0},
        Row{"step 4, 1 member: the leader", rollout(1, {up(0, kOld, L)}), Action::kDelete,
            Reason::kLeader, 0},
        Row{"step 4, 5 members: followers first",
            rollout(5, {up(0, kNew), up(1, kNew), up(2, kOld, L), up(3, kOld), up(4, kOld)}),
            Action::kDelete, Reason::kFollower, 3},
        Row{"step 4, 5 members: leader last",
            rollout(5, {up(0, kNew), up(1, kNew), up(2, kOld, L), up(3, kNew), up(4, kNew)}),
            Action::kDelete, Reason::kLeader, 2},
        // A new revision mid-rollout widens the outdated set.
        Row{"new revision mid-rollout: all outdated again, follower first",
            rollout(3, {up(0, kNew), up(1, kOld, L), up(2, kNew)}, "rev-newer"), Action::kDelete,
            Reason::kFollower, 0},
        Row{"new revision mid-rollout with the newest pod not ready: step 2 first",
            rollout(3, {up(0, kNew), up(1, kOld, L), down(2, kNew, S::kTransient)}, "rev-newer"),
            Action::kDelete, Reason::kOutdatedNotParticipating, 2},
        // Scope: members are ordinals 0..replicas-1 only.
        Row{"pods beyond replicas are not members",
            rollout(1, {up(0, kNew, L), down(1, kOld, S::kDead), up(2, kOld)}), Action::kDone,
            Reason::kAllUpdated, std::nullopt}));

TEST(UpdateProcedureLeader, TransferTargetIsTheLowestUpdatedFollowerWithAnId) {
  RolloutFacts facts =
      rollout(5, {up(0, kNew), up(1, kNew), up(2, kOld, L), up(3, kNew), up(4, kNew)});
  facts.pods[0].member_id.reset();  // unparsable lease ID: not eligible
  const Decision d = decide(facts);
  ASSERT_EQ(d.reason, Reason::kLeader);
  ASSERT_TRUE(d.transfer_target);
  EXPECT_EQ(d.transfer_target->ordinal, 1);
  EXPECT_EQ(d.transfer_target->member_id, 0x1001u);
}

TEST(UpdateProcedureLeader, NoTargetWithoutUpdatedFollowers) {
  RolloutFacts facts = rollout(3, {up(0, kNew, Role::kUnknown), up(1, kOld, L), up(2, kNew)});
  facts.pods[2].member_id.reset();
  const Decision d = decide(facts);
  ASSERT_EQ(d.reason, Reason::kLeader);
  EXPECT_FALSE(d.transfer_target);
}

TEST(UpdateProcedureLeader, SingleMemberNeedsNoTransfer) {
  const Decision d = decide(rollout(1, {up(0, kOld, L)}));
  EXPECT_EQ(d.reason, Reason::kLeader);
  EXPECT_FALSE(d.transfer_target);
}

TEST(UpdateProcedureStaleCache, DeletedPodStillCachedBlocksEveryDeletion) {
  RolloutFacts facts = rollout(3, {up(0, kOld, L), up(1, kOld), up(2, kOld)});
  // The cycle before deleted etcd-main-1; the cache still shows it ready.
  facts.last_deleted = DeletedPod{facts.pods[1].name, facts.pods[1].uid};
  Decision d = decide(facts);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_EQ(d.reason, Reason::kDeletionNotObserved);
  // Also a step-2 candidate waits until the deletion is seen.
  facts.pods[2].participating = false;
  EXPECT_EQ(decide(facts).reason, Reason::kDeletionNotObserved);

  // Recreated (another UID, new revision, starting): the procedure goes on (step 2 for pod 2).
  facts.pods[1].uid = "uid-recreated";
  facts.pods[1].revision = kNew;
  facts.pods[1].participating = false;
  d = decide(facts);
  EXPECT_EQ(d.reason, Reason::kOutdatedNotParticipating);
  EXPECT_EQ(d.pod->ordinal, 2);

  // Gone from the cache: rule R holds step 4 (member missing).
  facts.pods.erase(facts.pods.begin() + 1);
  facts.pods[1].participating = true;
  d = decide(facts);
  EXPECT_EQ(d.reason, Reason::kMemberUnavailable);
}

TEST(UpdateProcedureRollout, ThreeMembersOneAtATimeLeaderLast) {
  // Plays a whole rollout: each deleted pod comes back updated and ready.
  RolloutFacts facts = rollout(3, {up(0, kOld, L), up(1, kOld), up(2, kOld)});
  std::vector<int> order;
  for (int cycle = 0; cycle < 10; ++cycle) {
    const Decision d = decide(facts);
    if (d.action == Action::kDone) break;
    ASSERT_EQ(d.action, Action::kDelete) << d.explanation;
    order.push_back(d.pod->ordinal);
    for (auto& pod : facts.pods) {
      if (pod.ordinal == d.pod->ordinal) pod.revision = kNew;
    }
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 0}));
}

// --- pod facts from objects ---------------------------------------------------

nlohmann::json pod_with_state(const nlohmann::json& state, bool ready) {
  return {{"metadata", {{"name", "etcd-main-2"}, {"uid", "u"}}},
          {"status",
           {{"containerStatuses",
             {{{"name", "backup-restore"}, {"ready", true}, {"state", {{"running", {}}}}},
              {{"name", "etcd"}, {"ready", ready}, {"state", state}}}}}}};
}

TEST(PodFacts, ContainerStates) {
  using nlohmann::json;
  EXPECT_EQ(etcd_container_state(pod_with_state({{"terminated", {{"exitCode", 1}}}}, false)),
            S::kDead);
  for (const char* reason : {"CrashLoopBackOff", "RunContainerError", "ImagePullBackOff",
                             "ErrImagePull", "CreateContainerConfigError"}) {
    EXPECT_EQ(etcd_container_state(pod_with_state({{"waiting", {{"reason", reason}}}}, false)),
              S::kDead)
        << reason;
  }
  for (const char* reason : {"ContainerCreating", "PodInitializing"}) {
    EXPECT_EQ(etcd_container_state(pod_with_state({{"waiting", {{"reason", reason}}}}, false)),
              S::kTransient)
        << reason;
  }
  EXPECT_EQ(etcd_container_state(pod_with_state({{"waiting", {{"reason", "Other"}}}}, false)),
            S::kUnknown);
  EXPECT_EQ(etcd_container_state(pod_with_state({{"running", json::object()}}, false)), S::kAlive);
  EXPECT_EQ(etcd_container_state(json{{"metadata", {{"name", "x"}}}}), S::kUnknown);
  EXPECT_TRUE(etcd_container_ready(pod_with_state({{"running", json::object()}}, true)));
  EXPECT_FALSE(etcd_container_ready(pod_with_state({{"running", json::object()}}, false)));
  EXPECT_FALSE(etcd_container_ready(json::array()));
}

TEST(PodFacts, ReadsNameOrdinalRevisionAndTermination) {
  nlohmann::json pod = pod_with_state({{"running", nlohmann::json::object()}}, true);
  pod["metadata"]["labels"] = {{"controller-revision-hash", "etcd-main-abc"}};
  pod["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  const PodFacts f = read_pod("etcd-main", pod);
  EXPECT_EQ(f.ordinal, 2);
  EXPECT_EQ(f.revision, "etcd-main-abc");
  EXPECT_TRUE(f.terminating);
  EXPECT_TRUE(f.participating);
  EXPECT_EQ(pod_ordinal("etcd-main", "etcd-main-10"), 10);
  EXPECT_EQ(pod_ordinal("etcd-main", "etcd-main-compact-x"), std::nullopt);
  EXPECT_EQ(pod_ordinal("etcd-main", "etcd-main-01"), std::nullopt);
  EXPECT_EQ(pod_ordinal("etcd-main", "etcd-mainx-1"), std::nullopt);
}

TEST(PodFacts, RolesFromMemberLeases) {
  auto lease = [](const char* holder) {
    return nlohmann::json{{"spec", {{"holderIdentity", holder}}}};
  };
  PodFacts f;
  auto l = lease("3f0a9c6e5d2b1002:b7a3c1d2e4f50617:Leader");
  apply_member_lease(f, &l);
  EXPECT_EQ(f.role, Role::kLeader);
  EXPECT_EQ(f.member_id, 0x3f0a9c6e5d2b1002ULL);
  l = lease("1a2b:Member");  // legacy form
  apply_member_lease(f, &l);
  EXPECT_EQ(f.role, Role::kMember);
  EXPECT_EQ(f.member_id, 0x1a2bULL);
  l = lease("garbage");
  apply_member_lease(f, &l);
  EXPECT_EQ(f.role, Role::kUnknown);
  EXPECT_FALSE(f.member_id);
  l = lease("zz:cluster:Member");  // role known, ID unparsable
  apply_member_lease(f, &l);
  EXPECT_EQ(f.role, Role::kMember);
  EXPECT_FALSE(f.member_id);
  apply_member_lease(f, nullptr);
  EXPECT_EQ(f.role, Role::kUnknown);
}

}  // namespace
}  // namespace druid::controller::ondelete
