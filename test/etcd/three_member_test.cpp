// The client against a real three-member etcd: leadership transfer and the
// membership calls a scale-up or member replacement uses.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "etcd/client.hpp"
#include "support/etcd_process.hpp"

namespace druid::etcd {
namespace {

using druid::test::EtcdCluster;

// Like kube::test::eventually, for calls that reach etcd: one try every 200 ms.
template <class F>
bool poll(F&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return condition();
}

class ThreeMembers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/etcd")) GTEST_SKIP() << "/usr/bin/etcd is not installed";
    cluster_ = std::make_unique<EtcdCluster>(3);
  }

  // Index of the member that is leader now, per its own status.
  std::optional<std::size_t> leader_index() {
    for (std::size_t i = 0; i < cluster_->size(); ++i) {
      if (!cluster_->member(i).running()) continue;
      Client c(cluster_->member_client_options(i));
      auto status = c.status();
      if (status && status->leader == status->member_id) return i;
    }
    return std::nullopt;
  }
  std::uint64_t member_id(std::size_t index) {
    Client c(cluster_->member_client_options(index));
    return c.status().value().member_id;
  }

  std::unique_ptr<EtcdCluster> cluster_;
};

TEST_F(ThreeMembers, StatusAndMemberListAgree) {
  Client all(cluster_->client_options());
  auto members = all.member_list();
  ASSERT_TRUE(members) << members.error().message;
  ASSERT_EQ(members->size(), 3u);
  std::optional<std::uint64_t> leader;
  for (std::size_t i = 0; i < 3; ++i) {
    Client one(cluster_->member_client_options(i));
    auto status = one.status();
    ASSERT_TRUE(status) << status.error().message;
    if (leader) {
      EXPECT_EQ(status->leader, *leader);
    }
    leader = status->leader;
    const auto listed = std::count_if(members->begin(), members->end(), [&](const Member& m) {
      return m.id == status->member_id && m.name == cluster_->member(i).name;
    });
    EXPECT_EQ(listed, 1);
  }
}

TEST_F(ThreeMembers, SerializableReadOnAnotherMemberSeesTheWrite) {
  Client first(cluster_->member_client_options(0));
  Client third(cluster_->member_client_options(2));
  auto revision = first.put("/replicated", "yes");
  ASSERT_TRUE(revision) << revision.error().message;
  EXPECT_TRUE(poll([&] {
    auto read = third.range("/replicated", std::nullopt, /*serializable=*/true);
    return read && read->kvs.size() == 1 && read->kvs[0].value == "yes";
  }));
  auto linearizable = third.range("/replicated");
  ASSERT_TRUE(linearizable) << linearizable.error().message;
  ASSERT_EQ(linearizable->kvs.size(), 1u);
  EXPECT_EQ(linearizable->kvs[0].mod_revision, *revision);
}

TEST_F(ThreeMembers, MoveLeaderToAFollower) {
  const auto leader = leader_index();
  ASSERT_TRUE(leader);
  const std::size_t follower = (*leader + 1) % 3;
  const auto target = member_id(follower);

  Client to_leader(cluster_->member_client_options(*leader));
  auto moved = to_leader.move_leader(target);
  ASSERT_TRUE(moved) << moved.error().message;

  Client any(cluster_->client_options());
  EXPECT_TRUE(poll(
      [&] {
        auto status = any.status();
        return status && status->leader == target;
      },
      std::chrono::seconds(10)));
}

TEST_F(ThreeMembers, MoveLeaderSentToAFollowerIsAnEtcdError) {
  const auto leader = leader_index();
  ASSERT_TRUE(leader);
  const std::size_t follower = (*leader + 1) % 3;
  const std::size_t other = (*leader + 2) % 3;
  Client to_follower(cluster_->member_client_options(follower));
  auto moved = to_follower.move_leader(member_id(other));
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().kind, ErrorKind::kEtcd);
  EXPECT_EQ(moved.error().message, "etcdserver: not leader");
  EXPECT_EQ(moved.error().endpoint, cluster_->member(follower).client_url);
}

TEST_F(ThreeMembers, LearnerAddPromoteUpdateRemove) {
  Client c(cluster_->client_options());
  const auto planned = cluster_->plan_member("learner");
  const std::string peer_url = cluster_->member(planned).peer_url;
  // etcd refuses reconfiguration ("unhealthy cluster") until every member has
  // been connected for its health interval (5 s) after the start.
  std::optional<EtcdResult<Member>> attempt;
  EXPECT_TRUE(poll(
      [&] {
        attempt.emplace(c.member_add({peer_url}, /*as_learner=*/true));
        return attempt->has_value();
      },
      std::chrono::seconds(15)));
  auto& added = *attempt;
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_TRUE(added->is_learner);
  EXPECT_NE(added->id, 0u);
  EXPECT_EQ(added->peer_urls, std::vector<std::string>{peer_url});
  EXPECT_TRUE(added->name.empty());

  // Not started yet: etcd refuses to promote a learner that is not in sync.
  auto early = c.member_promote(added->id);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().kind, ErrorKind::kEtcd);
  EXPECT_EQ(early.error().message,
            "etcdserver: can only promote a learner member which is in sync with leader");

  cluster_->start_joining(planned);
  std::string last_error;
  Client learner(cluster_->member_client_options(planned));
  EXPECT_TRUE(poll(
      [&] {
        auto status = learner.status();
        if (!status) last_error = status.error().message;
        return status && status->leader != 0;
      },
      std::chrono::seconds(20)))
      << last_error << "\n"
      << cluster_->logs();
  auto listed = c.member_list();
  ASSERT_TRUE(listed) << listed.error().message;
  const auto learner_entry = std::find_if(listed->begin(), listed->end(),
                                          [&](const Member& m) { return m.id == added->id; });
  ASSERT_NE(learner_entry, listed->end());
  EXPECT_TRUE(learner_entry->is_learner);

  EXPECT_TRUE(poll(
      [&] {
        auto promoted = c.member_promote(added->id);
        if (!promoted) last_error = promoted.error().message;
        return bool(promoted);
      },
      std::chrono::seconds(20)))
      << last_error;

  // Update only after the promotion: etcd 3.4 turns a learner into a voter on
  // MemberUpdate (the update carries no learner flag).
  const std::string second_url = "http://127.0.0.1:" + std::to_string(operator_::test::free_port());
  auto updated = c.member_update(added->id, {peer_url, second_url});
  ASSERT_TRUE(updated) << updated.error().message;

  auto members = c.member_list();
  ASSERT_TRUE(members) << members.error().message;
  ASSERT_EQ(members->size(), 4u);
  for (const auto& member : *members) {
    EXPECT_FALSE(member.is_learner) << member.name;
    if (member.id == added->id) {
      EXPECT_EQ(member.name, "learner");
      EXPECT_EQ(member.peer_urls, (std::vector<std::string>{peer_url, second_url}));
    }
  }

  auto removed = c.member_remove(added->id);
  ASSERT_TRUE(removed) << removed.error().message;
  members = c.member_list();
  ASSERT_TRUE(members);
  EXPECT_EQ(members->size(), 3u);
  auto again = c.member_remove(added->id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kEtcd);
  EXPECT_EQ(again.error().message, "etcdserver: member not found");
}

}  // namespace
}  // namespace druid::etcd
