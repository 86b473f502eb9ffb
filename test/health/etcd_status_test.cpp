#include "health/etcd_status.hpp"

#include <gtest/gtest.h>

#include "health/health_support.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders
using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

const api::Condition* find(const api::EtcdStatus& status, const std::string& type) {
  return status.condition(type);
}

std::string status_of(const api::EtcdStatus& status, const std::string& type) {
  const api::Condition* c = find(status, type);
  return c == nullptr ? "<absent>" : c->status;
}

std::string reason_of(const api::EtcdStatus& status, const std::string& type) {
  const api::Condition* c = find(status, type);
  return c == nullptr ? "<absent>" : c->reason;
}

// A 3-member cluster with a backup store as the sidecars, kubelet and
// StatefulSet controller leave it when everything is healthy; `renewed[i]` is
// how long before `now` member i last renewed its lease.
struct Cluster {
  api::Etcd etcd = etcd_with_store(3);
  std::vector<std::chrono::nanoseconds> renewed = {seconds(5), seconds(5), seconds(5)};
  std::vector<std::string> cluster_ids = {"c1", "c1", "c1"};
  std::vector<std::string> pod_ready = {"True", "True", "True"};
  json sts = statefulset_json(3);
  bool with_sts = true;
  std::chrono::nanoseconds delta_age = seconds(10);
  std::vector<ObjectPtr> pvcs = {pvc("etcd-main-etcd-main-0", "Bound"),
                                 pvc("etcd-main-etcd-main-1", "Bound"),
                                 pvc("etcd-main-etcd-main-2", "Bound")};
  std::vector<ObjectPtr> events;

  StatusInputs inputs(util::Time now) const {
    StatusInputs in;
    for (std::size_t i = 0; i < renewed.size(); ++i) {
      const std::string name = "etcd-main-" + std::to_string(i);
      const std::string role = i == 0 ? "Leader" : "Member";
      in.member_leases.push_back(lease(
          name, "m" + std::to_string(i) + ":" + cluster_ids[i] + ":" + role, now - renewed[i]));
      in.pods.push_back(pod(name, pod_ready[i]));
    }
    if (with_sts) in.statefulset = ptr(sts);
    json full = lease_json("etcd-main-full-snap", std::string("10"), now - minutes(30));
    full["metadata"]["creationTimestamp"] = rfc3339(t0() - std::chrono::hours(48));
    in.snapshot_leases = {ptr(full),
                          lease("etcd-main-delta-snap", std::string("20"), now - delta_age)};
    in.pvcs = pvcs;
    in.events = events;
    in.now = now;
    return in;
  }

  // Computes the status at `now` and stores it on the Etcd, as a write would.
  api::EtcdStatus reconcile(util::Time now) {
    api::EtcdStatus status = compute_status(etcd, inputs(now));
    etcd.status = status;
    return status;
  }
};

TEST(EtcdStatus, HealthyClusterIsReadyEverywhere) {
  Cluster cluster;
  cluster.etcd.status = api::EtcdStatus{};
  cluster.etcd.status->observed_generation = 1;
  const api::EtcdStatus status = cluster.reconcile(t0());

  ASSERT_EQ(status.members.size(), 3u);
  for (const auto& m : status.members) {
    EXPECT_EQ(m.status, "Ready") << m.name;
    EXPECT_EQ(m.reason, "LeaseSucceeded");
    EXPECT_EQ(m.last_transition_time, "2024-05-01T10:00:00Z");
  }
  EXPECT_EQ(status.members[0].id, "m0");
  EXPECT_EQ(status.members[0].role, "Leader");
  EXPECT_EQ(status.members[1].role, "Member");

  std::vector<std::pair<std::string, std::string>> conditions;
  for (const auto& c : status.conditions) conditions.emplace_back(c.type, c.status);
  EXPECT_EQ(conditions, (std::vector<std::pair<std::string, std::string>>{
                            {"AllMembersReady", "True"},
                            {"AllMembersUpdated", "True"},
                            {"BackupReady", "True"},
                            {"ClusterIDMismatch", "False"},
                            {"DataVolumesReady", "True"},
                            {"Ready", "True"},
                        }));
  EXPECT_EQ(reason_of(status, "Ready"), "Quorate");
  EXPECT_EQ(status.ready, true);
  EXPECT_EQ(status.replicas, 3);
  EXPECT_EQ(status.current_replicas, 3);
  EXPECT_EQ(status.ready_replicas, 3);
  ASSERT_TRUE(status.etcd);
  EXPECT_EQ(status.etcd->name, "etcd-main");
  EXPECT_EQ(status.selector,
            "app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=etcd-main");
  EXPECT_EQ(status.bootstrap_with_existing_cluster, std::nullopt);
}

TEST(EtcdStatus, EncodesAsTheCrdExpects) {
  Cluster cluster;
  api::Etcd e = cluster.etcd;
  e.status = compute_status(cluster.etcd, cluster.inputs(t0()));
  const json encoded = api::encode_etcd(e)["status"];
  EXPECT_EQ(encoded["members"][0], (json{{"name", "etcd-main-0"},
                                         {"id", "m0"},
                                         {"role", "Leader"},
                                         {"status", "Ready"},
                                         {"reason", "LeaseSucceeded"},
                                         {"lastTransitionTime", "2024-05-01T10:00:00Z"}}));
  EXPECT_EQ(encoded["conditions"][5], (json{{"type", "Ready"},
                                            {"status", "True"},
                                            {"lastTransitionTime", "2024-05-01T10:00:00Z"},
                                            {"lastUpdateTime", "2024-05-01T10:00:00Z"},
                                            {"reason", "Quorate"},
                                            {"message", "The majority of ETCD members is ready"}}));
  EXPECT_EQ(encoded["etcd"],
            (json{{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", "etcd-main"}}));
  EXPECT_EQ(encoded["ready"], true);
}

TEST(EtcdStatus, LeavesOtherStatusFieldsAlone) {
  Cluster cluster;
  api::EtcdStatus previous;
  previous.observed_generation = 7;
  previous.last_operation =
      api::LastOperation{"Reconcile", "Succeeded", "done", "run-1", "2024-05-01T09:00:00Z", {}};
  previous.last_errors = {api::LastError{"ERR_X", "boom", "2024-05-01T09:00:00Z", {}}};
  previous.conditions = {condition("LastSnapshotCompactionSucceeded", "True", "ok", "compacted")};
  previous.unknown.fields["futureField"] = "kept";
  cluster.etcd.status = previous;
  const api::EtcdStatus status = cluster.reconcile(t0());
  EXPECT_EQ(status.observed_generation, 7);
  EXPECT_EQ(status.last_operation, previous.last_operation);
  EXPECT_EQ(status.last_errors, previous.last_errors);
  EXPECT_EQ(status.unknown.fields["futureField"], "kept");
  ASSERT_NE(find(status, "LastSnapshotCompactionSucceeded"), nullptr);
  EXPECT_EQ(*find(status, "LastSnapshotCompactionSucceeded"), previous.conditions[0]);
}

TEST(EtcdStatus, SteadyStateChangesOnlyUpdateTimesUntilTheHeartbeat) {
  Cluster cluster;
  const api::EtcdStatus first = cluster.reconcile(t0());
  // Fifteen seconds later the sidecars have renewed again.
  const api::EtcdStatus second = compute_status(cluster.etcd, cluster.inputs(t0() + seconds(15)));
  EXPECT_NE(first, second);  // lastUpdateTime moved
  EXPECT_FALSE(status_changed_beyond_update_times(first, second));
  EXPECT_FALSE(status_heartbeat_due(first, t0() + seconds(15)));
  EXPECT_FALSE(should_write_status(first, second, t0() + seconds(15)));
  EXPECT_FALSE(status_heartbeat_due(first, t0() + minutes(5) - seconds(1)));
  EXPECT_TRUE(status_heartbeat_due(first, t0() + minutes(5)));
  EXPECT_TRUE(should_write_status(first, second, t0() + minutes(5)));
}

TEST(EtcdStatus, MemberStopsRenewingThenTwoMembers) {
  Cluster cluster;
  cluster.reconcile(t0());

  // Member 2 stopped renewing 90s ago; its pod still reports ready containers.
  cluster.renewed = {seconds(5), seconds(5), seconds(90)};
  api::EtcdStatus status = cluster.reconcile(t0() + seconds(30));
  EXPECT_EQ(status.members[2].status, "Unknown");
  EXPECT_EQ(status.members[2].reason, "LeaseExpired");
  EXPECT_EQ(status.members[2].last_transition_time, "2024-05-01T10:00:30Z");
  EXPECT_EQ(status.members[0].last_transition_time, "2024-05-01T10:00:00Z");
  EXPECT_EQ(status_of(status, "Ready"), "True");
  EXPECT_EQ(status_of(status, "AllMembersReady"), "False");
  EXPECT_EQ(find(status, "AllMembersReady")->last_transition_time, "2024-05-01T10:00:30Z");
  EXPECT_EQ(find(status, "Ready")->last_transition_time, "2024-05-01T10:00:00Z");

  // Later: beyond the grace period it is NotReady, the cluster still quorate.
  cluster.renewed = {seconds(5), seconds(5), minutes(7)};
  status = cluster.reconcile(t0() + minutes(7));
  EXPECT_EQ(status.members[2].status, "NotReady");
  EXPECT_EQ(status.members[2].reason, "UnknownGracePeriodExceeded");
  EXPECT_EQ(reason_of(status, "Ready"), "Quorate");

  // A second member is gone and its pod too: quorum lost.
  cluster.renewed = {seconds(5), minutes(2), minutes(8)};
  cluster.pod_ready = {"True", "False", "False"};
  status = cluster.reconcile(t0() + minutes(8));
  EXPECT_EQ(status.members[1].status, "NotReady");
  EXPECT_EQ(status.members[1].reason, "ContainersNotReady");
  EXPECT_EQ(status_of(status, "Ready"), "False");
  EXPECT_EQ(reason_of(status, "Ready"), "QuorumLost");
}

TEST(EtcdStatus, StaleSnapshotLeasesGoUnknownThenFalse) {
  Cluster cluster;
  EXPECT_EQ(status_of(cluster.reconcile(t0()), "BackupReady"), "True");
  cluster.delta_age = minutes(2);
  EXPECT_EQ(status_of(cluster.reconcile(t0() + seconds(15)), "BackupReady"), "Unknown");
  const api::EtcdStatus status = cluster.reconcile(t0() + seconds(30));
  EXPECT_EQ(status_of(status, "BackupReady"), "False");
  EXPECT_EQ(reason_of(status, "BackupReady"), "BackupFailed");
}

TEST(EtcdStatus, DifferentClusterIdsAreAMismatch) {
  Cluster cluster;
  cluster.cluster_ids = {"c1", "c2", "c1"};
  EXPECT_EQ(status_of(cluster.reconcile(t0()), "ClusterIDMismatch"), "True");
}

TEST(EtcdStatus, FewerMembersThanReplicas) {
  Cluster cluster;
  cluster.renewed = {seconds(5), seconds(5)};
  const api::EtcdStatus status = cluster.reconcile(t0());
  EXPECT_EQ(status.members.size(), 2u);
  EXPECT_EQ(status_of(status, "Ready"), "True");
  EXPECT_EQ(status_of(status, "AllMembersReady"), "False");
}

TEST(EtcdStatus, NoBackupStoreOmitsBackupReady) {
  Cluster cluster;
  cluster.etcd = etcd(3);
  cluster.etcd.status = api::EtcdStatus{};
  cluster.etcd.status->conditions = {condition("BackupReady", "True")};
  EXPECT_EQ(find(cluster.reconcile(t0()), "BackupReady"), nullptr);
}

TEST(EtcdStatus, ScaledDownToZeroIsNotChecked) {
  Cluster cluster;
  cluster.reconcile(t0());
  cluster.etcd.spec.replicas = 0;
  cluster.sts = statefulset_json(0);
  const api::EtcdStatus status = cluster.reconcile(t0() + minutes(1));
  EXPECT_TRUE(status.members.empty());
  ASSERT_EQ(status.conditions.size(), 6u);
  for (const auto& c : status.conditions) {
    EXPECT_EQ(c.reason, "NotChecked") << c.type;
    EXPECT_EQ(c.message, "etcd cluster has been scaled down");
    EXPECT_EQ(c.last_update_time, "2024-05-01T10:01:00Z");
  }
  EXPECT_EQ(status_of(status, "Ready"), "True");  // last known
  EXPECT_EQ(find(status, "Ready")->last_transition_time, "2024-05-01T10:00:00Z");
  EXPECT_EQ(status_of(status, "ClusterIDMismatch"), "False");
  EXPECT_EQ(status.replicas, 0);
}

TEST(EtcdStatus, StatefulSetNotControlledIsMissing) {
  Cluster cluster;
  cluster.etcd.status = api::EtcdStatus{};
  cluster.etcd.status->replicas = 3;
  cluster.sts["metadata"]["ownerReferences"][0]["uid"] = "another-etcd";
  const api::EtcdStatus status = cluster.reconcile(t0());
  EXPECT_EQ(reason_of(status, "AllMembersUpdated"), "StatefulSetNotFound");
  EXPECT_EQ(reason_of(status, "DataVolumesReady"), "StatefulSetNotFound");
  EXPECT_EQ(status.ready, false);
  EXPECT_EQ(status.current_replicas, 0);
  EXPECT_EQ(status.replicas, 3);
  EXPECT_EQ(status.etcd, std::nullopt);
}

TEST(EtcdStatus, ReadErrorsAreReportedNotThrown) {
  Cluster cluster;
  const api::EtcdStatus before = cluster.reconcile(t0());
  StatusInputs in = cluster.inputs(t0() + seconds(15));
  in.statefulset_error = "etcdserver: request timed out";
  in.member_leases_error = "connection refused";
  in.snapshot_leases_error = "connection refused";
  const api::EtcdStatus status = compute_status(cluster.etcd, in);
  EXPECT_TRUE(status.members.empty());
  EXPECT_EQ(reason_of(status, "Ready"), "NoMembersInStatus");
  EXPECT_EQ(reason_of(status, "ClusterIDMismatch"), "UnableToFetchLease");
  EXPECT_EQ(reason_of(status, "AllMembersUpdated"), "UnableToFetchStatefulSet");
  EXPECT_EQ(reason_of(status, "DataVolumesReady"), "UnableToFetchStatefulSet");
  EXPECT_EQ(status_of(status, "BackupReady"), "Unknown");
  // The StatefulSet-derived fields keep what was last known.
  EXPECT_EQ(status.ready, before.ready);
  EXPECT_EQ(status.ready_replicas, before.ready_replicas);
  EXPECT_EQ(status.etcd, before.etcd);
}

TEST(EtcdStatus, GarbageObjectsNeverCrash) {
  Cluster cluster;
  StatusInputs in = cluster.inputs(t0());
  const std::vector<json> garbage = {
      nullptr,
      42,
      "text",
      json::array(),
      json::object(),
      json{{"metadata", 1}},
      json{{"metadata", {{"name", "etcd-main-0"}}}, {"spec", {{"holderIdentity", 5}}}},
      json{{"metadata", {{"name", "etcd-main-1"}}}, {"spec", {{"renewTime", "x"}}}},
      json{{"metadata", {{"name", "etcd-main-2"}}}, {"status", {{"conditions", "x"}}}},
  };
  for (const auto& g : garbage) {
    in.member_leases.insert(in.member_leases.begin(), ptr(g));
    in.pods.insert(in.pods.begin(), ptr(g));
    in.snapshot_leases.insert(in.snapshot_leases.begin(), ptr(g));
    in.pvcs.push_back(ptr(g));
    in.events.push_back(ptr(g));
  }
  in.member_leases.push_back(nullptr);
  in.statefulset = ptr(
      json{{"metadata",
            {{"name", 3},
             {"ownerReferences", {{{"controller", true}, {"uid", druid::test::kTestEtcdUid}}}}}},
           {"spec", {{"replicas", "three"}, {"volumeClaimTemplates", {1, "x"}}}},
           {"status", nullptr}});
  api::EtcdStatus status;
  EXPECT_NO_THROW(status = compute_status(cluster.etcd, in));
  // The garbage came first in every list, so what the checks saw is garbage.
  EXPECT_TRUE(status.members.empty());
  EXPECT_EQ(reason_of(status, "ClusterIDMismatch"), "UnableToParseLeaseHolderIdentity");
  EXPECT_EQ(status_of(status, "AllMembersUpdated"), "False");
}

api::Etcd joining(int replicas) {
  json j = druid::test::base_etcd_json(replicas);
  j["spec"]["etcd"]["bootstrapWithExistingCluster"] = {
      {"members",
       {{{"name", "source-0"}, {"peerUrls", {"http://source-0.source-peer.ns.svc:2380"}}},
        {{"name", "source-1"}, {"peerUrls", {"http://source-1.source-peer.ns.svc:2380"}}}}},
      {"clientEndpoints", {"http://source-client.ns.svc:2379"}}};
  return druid::test::decode(j);
}

TEST(EtcdStatus, BootstrapRecordIsWrittenOnceAndTheConditionStaysTrue) {
  Cluster cluster;
  cluster.etcd = joining(3);

  // Still joining: one member has not renewed yet.
  cluster.renewed = {seconds(5), seconds(5)};
  api::EtcdStatus status = cluster.reconcile(t0());
  EXPECT_EQ(status_of(status, "BootstrappedWithExistingCluster"), "False");
  EXPECT_EQ(status.bootstrap_with_existing_cluster, std::nullopt);

  cluster.renewed = {seconds(5), seconds(5), seconds(5)};
  status = cluster.reconcile(t0() + minutes(1));
  EXPECT_EQ(status_of(status, "BootstrappedWithExistingCluster"), "True");
  ASSERT_TRUE(status.bootstrap_with_existing_cluster);
  EXPECT_EQ(status.bootstrap_with_existing_cluster->joined_at, "2024-05-01T10:01:00Z");
  ASSERT_EQ(status.bootstrap_with_existing_cluster->members.size(), 2u);
  EXPECT_EQ(status.bootstrap_with_existing_cluster->members[1].name, "source-1");
  EXPECT_EQ(status.bootstrap_with_existing_cluster->members[1].peer_urls,
            (std::vector<std::string>{"http://source-1.source-peer.ns.svc:2380"}));

  // Members fail later: the join stays recorded, joinedAt unchanged.
  cluster.renewed = {minutes(10), minutes(10), minutes(10)};
  status = cluster.reconcile(t0() + minutes(20));
  EXPECT_EQ(status_of(status, "Ready"), "False");
  EXPECT_EQ(status_of(status, "BootstrappedWithExistingCluster"), "True");
  EXPECT_EQ(find(status, "BootstrappedWithExistingCluster")->last_transition_time,
            "2024-05-01T10:01:00Z");
  EXPECT_EQ(status.bootstrap_with_existing_cluster->joined_at, "2024-05-01T10:01:00Z");
}

TEST(EtcdStatus, NoBootstrapRecordWithoutTheSpecField) {
  Cluster cluster;
  EXPECT_EQ(cluster.reconcile(t0()).bootstrap_with_existing_cluster, std::nullopt);
  EXPECT_EQ(find(*cluster.etcd.status, "BootstrappedWithExistingCluster"), nullptr);
}

TEST(StatusChanged, OnlyUpdateTimesDoNotCount) {
  Cluster cluster;
  const api::EtcdStatus base = cluster.reconcile(t0());
  auto changed = [&](auto mutate) {
    api::EtcdStatus other = base;
    mutate(other);
    return status_changed_beyond_update_times(base, other);
  };
  EXPECT_FALSE(changed([](api::EtcdStatus&) {}));
  EXPECT_FALSE(changed([](api::EtcdStatus& s) {
    for (auto& c : s.conditions) c.last_update_time = "2024-05-01T11:00:00Z";
  }));
  EXPECT_TRUE(changed([](api::EtcdStatus& s) { s.conditions[0].message = "other"; }));
  EXPECT_TRUE(changed(
      [](api::EtcdStatus& s) { s.conditions[0].last_transition_time = "2024-05-01T11:00:00Z"; }));
  EXPECT_TRUE(changed([](api::EtcdStatus& s) { s.conditions.pop_back(); }));
  EXPECT_TRUE(changed(
      [](api::EtcdStatus& s) { s.members[0].last_transition_time = "2024-05-01T11:00:00Z"; }));
  EXPECT_TRUE(changed([](api::EtcdStatus& s) { s.members[1].role = "Leader"; }));
  EXPECT_TRUE(changed([](api::EtcdStatus& s) { s.ready_replicas = 2; }));
  EXPECT_TRUE(changed([](api::EtcdStatus& s) { s.selector.reset(); }));
  EXPECT_TRUE(changed([](api::EtcdStatus& s) { s.observed_generation = 9; }));
}

TEST(StatusHeartbeat, NoManagedConditionsNoHeartbeat) {
  api::EtcdStatus status;
  EXPECT_FALSE(status_heartbeat_due(status, t0()));
  status.conditions = {
      condition("LastSnapshotCompactionSucceeded", "True", "r", "m", t0() - minutes(30))};
  EXPECT_FALSE(status_heartbeat_due(status, t0()));
  status.conditions.push_back(condition("Ready", "True", "r", "m", t0() - minutes(1)));
  EXPECT_FALSE(status_heartbeat_due(status, t0()));
  status.conditions.back().last_update_time = "not a time";
  EXPECT_TRUE(status_heartbeat_due(status, t0()));
}

}  // namespace
}  // namespace druid::health
