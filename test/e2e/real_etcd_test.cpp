// Real etcd clusters from what etcd-druid creates (issue 12): the pod runtime
// runs every member as a real etcd process; the tests ask etcd itself.

#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "api/resources.hpp"
#include "e2e/real_cluster.hpp"

namespace druid::e2e {
namespace {

using namespace std::chrono_literals;

class RealEtcdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto reason = real_members_unavailable();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }
};

// What a member's lease says: "<memberID hex>:<clusterID hex>:<role>".
struct LeaseHolder {
  std::string member_id, cluster_id, role;
};
std::optional<LeaseHolder> lease_holder(const RealCluster& cluster, const std::string& name) {
  const auto lease = cluster.get("leases.coordination.k8s.io", name);
  if (!lease) return std::nullopt;
  const auto identity = lease->value("spec", json::object()).value("holderIdentity", "");
  const auto first = identity.find(':');
  const auto second = identity.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos) return std::nullopt;
  return LeaseHolder{identity.substr(0, first), identity.substr(first + 1, second - first - 1),
                     identity.substr(second + 1)};
}

std::string dump(RealCluster& cluster, const std::string& name) {
  return "etcd status: " + cluster.etcd(name).value("status", json::object()).dump() +
         "\n--- runtime log (tail) ---\n" +
         cluster.runtime_log().substr(
             cluster.runtime_log().size() > 6000 ? cluster.runtime_log().size() - 6000 : 0);
}

TEST_F(RealEtcdTest, OneMemberClusterBecomesReadyAndServes) {
  RealCluster cluster;
  cluster.create_etcd(etcd_manifest("single", 1));
  ASSERT_TRUE(cluster.wait_ready("single", 1)) << dump(cluster, "single");

  auto member = cluster.member_client("single-0");
  ASSERT_TRUE(member->put("greeting", "hello")) << "write through the member";
  const auto read = member->range("greeting");
  ASSERT_TRUE(read);
  ASSERT_EQ(read->kvs.size(), 1u);
  EXPECT_EQ(read->kvs[0].value, "hello");

  // The member lease names the member etcd itself reports, as the leader.
  const auto status = member->status();
  ASSERT_TRUE(status);
  ASSERT_TRUE(kube::test::eventually(
      [&] {
        const auto holder = lease_holder(cluster, "single-0");
        return holder && holder->member_id == etcd::id_to_hex(status->member_id) &&
               holder->cluster_id == etcd::id_to_hex(status->cluster_id) &&
               holder->role == "Leader";
      },
      20s, 100ms))
      << "lease: " << cluster.get("leases.coordination.k8s.io", "single-0").value_or(json()).dump()
      << "\netcd: member " << etcd::id_to_hex(status->member_id) << " cluster "
      << etcd::id_to_hex(status->cluster_id);
}

TEST_F(RealEtcdTest, ThreeMembersReplicateAndLeasesMatchEtcd) {
  RealCluster cluster;
  cluster.create_etcd(etcd_manifest("trio", 3));
  ASSERT_TRUE(cluster.wait_ready("trio", 3, 180s)) << dump(cluster, "trio");

  auto first = cluster.member_client("trio-0");
  ASSERT_TRUE(first->put("replicated", "across members"));
  for (const auto* pod : {"trio-1", "trio-2"}) {
    auto other = cluster.member_client(pod);
    const auto read = other->range("replicated");
    ASSERT_TRUE(read) << pod << ": " << read.error().message;
    ASSERT_EQ(read->kvs.size(), 1u) << pod;
    EXPECT_EQ(read->kvs[0].value, "across members");
  }

  const auto members = first->member_list();
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 3u);
  std::set<std::string> names;
  for (const auto& m : *members) names.insert(m.name);
  EXPECT_EQ(names, (std::set<std::string>{"trio-0", "trio-1", "trio-2"}));

  // Each lease holds its member's ID, and exactly the leader's says Leader.
  ASSERT_TRUE(kube::test::eventually(
      [&] {
        int leaders = 0;
        for (int i = 0; i < 3; ++i) {
          const auto pod = "trio-" + std::to_string(i);
          const auto holder = lease_holder(cluster, pod);
          if (!holder) return false;
          const auto status = cluster.member_client(pod)->status();
          if (!status) return false;
          if (holder->member_id != etcd::id_to_hex(status->member_id)) return false;
          const bool is_leader = status->leader == status->member_id;
          if ((holder->role == "Leader") != is_leader) return false;
          leaders += is_leader ? 1 : 0;
        }
        return leaders == 1;
      },
      30s, 500ms))
      << dump(cluster, "trio");
}

TEST_F(RealEtcdTest, DeletedPodsRejoinWithTheirData) {
  RealCluster cluster;
  cluster.create_etcd(etcd_manifest("rejoin", 3));
  ASSERT_TRUE(cluster.wait_ready("rejoin", 3, 180s)) << dump(cluster, "rejoin");
  ASSERT_TRUE(cluster.member_client("rejoin-0")->put("kept", "yes"));

  // Delete a follower, then the leader, as `kubectl delete pod` does.
  const auto leader_status = cluster.member_client("rejoin-0")->status();
  ASSERT_TRUE(leader_status);
  std::string leader_pod, follower_pod;
  for (int i = 0; i < 3; ++i) {
    const auto pod = "rejoin-" + std::to_string(i);
    const auto s = cluster.member_client(pod)->status();
    ASSERT_TRUE(s);
    (s->member_id == s->leader ? leader_pod : follower_pod) = pod;
  }
  ASSERT_FALSE(leader_pod.empty());
  for (const auto& pod : {follower_pod, leader_pod}) {
    const auto old_uid = cluster.pod(pod)->at("metadata").value("uid", "");
    const auto old_id = cluster.member_client(pod)->status()->member_id;
    ASSERT_TRUE(cluster.client().remove(kube::resources::kPods, kNamespace, pod));
    ASSERT_TRUE(kube::test::eventually(
        [&] {
          const auto p = cluster.pod(pod);
          return p && p->at("metadata").value("uid", "") != old_uid && cluster.pod_ready(pod);
        },
        120s, 250ms))
        << pod << " did not come back\n"
        << dump(cluster, "rejoin");
    // The same member (its data directory survived on the PVC) with the data.
    auto member = cluster.member_client(pod);
    const auto status = member->status();
    ASSERT_TRUE(status);
    EXPECT_EQ(status->member_id, old_id) << pod << " rejoined as a new member";
    const auto read = member->range("kept", std::nullopt, /*serializable=*/true);
    ASSERT_TRUE(read);
    ASSERT_EQ(read->kvs.size(), 1u);
    EXPECT_EQ(read->kvs[0].value, "yes");
  }
  EXPECT_TRUE(cluster.wait_ready("rejoin", 3)) << dump(cluster, "rejoin");
}

TEST_F(RealEtcdTest, KilledMemberGoesNotReadyAndRecovers) {
  RealCluster cluster;
  cluster.create_etcd(etcd_manifest("crash", 1));
  ASSERT_TRUE(cluster.wait_ready("crash", 1)) << dump(cluster, "crash");
  // The etcd process itself (a child of the etcd container's wrapper).
  const auto pid = cluster.etcd_pid("crash-0");
  ASSERT_TRUE(pid) << "no etcd process in the etcd container";
  ASSERT_EQ(::kill(*pid, SIGKILL), 0);

  ASSERT_TRUE(kube::test::eventually([&] { return !cluster.pod_ready("crash-0"); }, 60s, 100ms))
      << "the pod stayed ready after its member was killed";
  ASSERT_TRUE(kube::test::eventually(
      [&] {
        const auto p = cluster.pod("crash-0");
        if (!p || !cluster.pod_ready("crash-0")) return false;
        for (const auto& c : p->at("status").value("containerStatuses", json::array())) {
          if (c.value("name", "") == "etcd") return c.value("restartCount", 0) >= 1;
        }
        return false;
      },
      120s, 250ms))
      << dump(cluster, "crash");
}

TEST_F(RealEtcdTest, ScaleUpFromOneToThreeKeepsTheData) {
  RealCluster cluster;
  cluster.create_etcd(etcd_manifest("grow", 1));
  ASSERT_TRUE(cluster.wait_ready("grow", 1)) << dump(cluster, "grow");
  ASSERT_TRUE(cluster.member_client("grow-0")->put("before-scale-up", "1"));

  cluster.patch_etcd("grow", {{"spec", {{"replicas", 3}}}});
  ASSERT_TRUE(cluster.wait_ready("grow", 3, 240s)) << dump(cluster, "grow");

  const auto members = cluster.member_client("grow-0")->member_list();
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 3u);
  for (const auto& m : *members) EXPECT_FALSE(m.is_learner) << m.name << " is still a learner";
  for (const auto* pod : {"grow-1", "grow-2"}) {
    const auto read = cluster.member_client(pod)->range("before-scale-up");
    ASSERT_TRUE(read) << pod;
    ASSERT_EQ(read->kvs.size(), 1u) << pod;
  }
}

// Without a backup store: with one, druid first takes a final full snapshot
// through an EtcdOpsTask (upstream's pre-sync, internal/component/statefulset/statefulset.go),
// which needs the EtcdOpsTask controller (not built yet). The data survives on the PVC, which
// hibernation keeps.
TEST_F(RealEtcdTest, HibernationAndWakeUpKeepTheData) {
  RealCluster cluster;
  cluster.create_etcd(etcd_manifest("sleepy", 1));
  ASSERT_TRUE(cluster.wait_ready("sleepy", 1)) << dump(cluster, "sleepy");
  ASSERT_TRUE(cluster.member_client("sleepy-0")->put("dream", "on"));

  const auto member = cluster.etcd_pid("sleepy-0");
  ASSERT_TRUE(member);

  cluster.patch_etcd("sleepy", {{"spec", {{"replicas", 0}}}});
  ASSERT_TRUE(kube::test::eventually([&] { return !cluster.pod("sleepy-0"); }, 120s, 250ms))
      << dump(cluster, "sleepy");
  EXPECT_TRUE(kube::test::eventually([&] { return ::kill(*member, 0) != 0; }, 60s, 100ms))
      << "a hibernated member still runs";

  cluster.patch_etcd("sleepy", {{"spec", {{"replicas", 1}}}});
  ASSERT_TRUE(cluster.wait_ready("sleepy", 1, 180s)) << dump(cluster, "sleepy");
  const auto read = cluster.member_client("sleepy-0")->range("dream");
  ASSERT_TRUE(read);
  ASSERT_EQ(read->kvs.size(), 1u);
  EXPECT_EQ(read->kvs[0].value, "on");
}

TEST_F(RealEtcdTest, DeletedEtcdLeavesNoProcessOrNamespace) {
  RealCluster cluster;
  cluster.create_etcd(etcd_manifest("gone", 1));
  ASSERT_TRUE(cluster.wait_ready("gone", 1)) << dump(cluster, "gone");
  const auto pid = cluster.container_pid("gone-0", "etcd");
  ASSERT_TRUE(pid);

  ASSERT_TRUE(cluster.client().remove(api::resources::kEtcds, kNamespace, "gone"));
  ASSERT_TRUE(kube::test::eventually(
      [&] { return !cluster.get("etcds.druid.gardener.cloud", "gone"); }, 60s, 250ms));
  ASSERT_TRUE(kube::test::eventually([&] { return !cluster.pod("gone-0"); }, 60s, 250ms))
      << dump(cluster, "gone");
  EXPECT_TRUE(kube::test::eventually([&] { return ::kill(*pid, 0) != 0; }, 60s, 100ms))
      << "the member process outlived its pod";
  EXPECT_TRUE(kube::test::eventually(
      [&] {
        const std::string command = "ip netns list | grep -q '" + cluster.name_prefix() + "'";
        return std::system(command.c_str()) != 0;
      },
      60s, 250ms))
      << "a pod network namespace outlived its pod";
}

}  // namespace
}  // namespace druid::e2e
