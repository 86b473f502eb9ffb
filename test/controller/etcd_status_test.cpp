// The status flow end to end against the test API server (upstream's
// test/it/controller/etcd/reconciler_test.go TestEtcdStatusReconciliation and
// TestScaleSubresource; docs/conditions.md): the
// operator runs in-process and a ClusterSimulator plays the StatefulSet
// controller, the kubelet and the backup-restore sidecars of a 3-member Etcd
// with client and peer TLS and a backup store. Leases are back-dated instead of
// waiting for the member thresholds to pass.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/resources.hpp"
#include "support/cluster_simulator.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kEtcd = kTestEtcdName;

// Thresholds far enough apart that a back-dated lease stays in one state for
// many status periods: Unknown between 5 s and 35 s, NotReady after.
constexpr seconds kUnknownThreshold{5};
constexpr seconds kNotReadyThreshold{30};
constexpr milliseconds kInUnknownWindow{seconds(12)};
constexpr milliseconds kPastGracePeriod{seconds(60)};
// The sidecar default deltaSnapshotPeriod is 20 s: BackupReady turns Unknown
// when the delta lease is older than 40 s and False after 60 s.
constexpr milliseconds kSnapshotsLate{seconds(45)};
constexpr milliseconds kSnapshotsStale{seconds(150)};
constexpr seconds kHeartbeat{8};

controller::etcd::EtcdControllerConfig status_test_config() {
  auto config = fast_etcd_controller_config();
  config.status_sync_period = milliseconds(200);  // each transition shows within ~0.5 s
  config.member_unknown_threshold = kUnknownThreshold;
  config.member_not_ready_threshold = kNotReadyThreshold;
  config.status_heartbeat = kHeartbeat;
  return config;
}

json status_of(const json& etcd) {
  return etcd.value("status", json::object());
}

json condition(const json& etcd, const std::string& type) {
  for (const auto& c : status_of(etcd).value("conditions", json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return nullptr;
}

bool condition_is(const json& etcd, const std::string& type, const std::string& status,
                  const std::string& reason = {}) {
  const json c = condition(etcd, type);
  return c.is_object() && c.value("status", "") == status &&
         (reason.empty() || c.value("reason", "") == reason);
}

json member(const json& etcd, const std::string& name) {
  for (const auto& m : status_of(etcd).value("members", json::array())) {
    if (m.value("name", "") == name) return m;
  }
  return nullptr;
}

bool member_is(const json& etcd, int ordinal, const std::string& status,
               const std::string& reason) {
  const json m = member(etcd, kEtcd + "-" + std::to_string(ordinal));
  return m.is_object() && m.value("status", "") == status && m.value("reason", "") == reason;
}

std::vector<std::string> types_of(const json& etcd) {
  std::vector<std::string> types;
  for (const auto& c : status_of(etcd).value("conditions", json::array()))
    types.push_back(c["type"]);
  return types;
}

// The status without the conditions' lastUpdateTime (what a heartbeat changes).
json without_update_times(json status) {
  for (auto& c : status["conditions"]) c.erase("lastUpdateTime");
  return status;
}

class EtcdStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json etcd = base_etcd_json(3);
    add_client_tls(etcd);
    add_peer_tls(etcd);
    add_store(etcd, "aws");
    env_.create_etcd(etcd);
  }

  // Runs the simulated cluster until `predicate` holds for the stored Etcd.
  template <class Predicate>
  bool wait_for(Predicate predicate, milliseconds timeout = seconds(15)) {
    return eventually(
        [&] {
          sim_.sync();
          return predicate(env_.etcd());
        },
        timeout);
  }

  static bool all_ready(const json& etcd) {
    const json status = status_of(etcd);
    return status.value("ready", false) && status.value("readyReplicas", 0) == 3 &&
           condition_is(etcd, "Ready", "True", "Quorate") &&
           condition_is(etcd, "AllMembersReady", "True", "AllMembersReady") &&
           condition_is(etcd, "AllMembersUpdated", "True", "AllMembersUpdated") &&
           condition_is(etcd, "BackupReady", "True", "BackupSucceeded") &&
           condition_is(etcd, "DataVolumesReady", "True", "NoWarningsFoundForDataVolumes") &&
           condition_is(etcd, "ClusterIDMismatch", "False", "NoClusterIDMismatchDetected");
  }

  // Everything healthy, with a diagnostic when it does not get there.
  ::testing::AssertionResult all_ready_eventually() {
    if (wait_for(all_ready, seconds(20))) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "simulator: " << sim_.last_error() << "\n"
                                         << status_of(env_.etcd()).dump(2);
  }

  std::int64_t status_patches() {
    return env_.server().controls().request_count("patch", "etcds/status");
  }

  OperatorEnv env_{status_test_config()};
  ClusterSimulator sim_{env_.client()};
};

// reconciler_test.go "test status when all member leases are active", "... all sts replicas
// are updated", "... all sts replicas are ready".
TEST_F(EtcdStatusTest, AllMembersActiveMakeEveryConditionHealthy) {
  ASSERT_TRUE(all_ready_eventually());
  const json etcd = env_.etcd();
  const json status = status_of(etcd);

  EXPECT_EQ(types_of(etcd),
            (std::vector<std::string>{"AllMembersReady", "AllMembersUpdated", "BackupReady",
                                      "ClusterIDMismatch", "DataVolumesReady", "Ready"}));
  for (const auto& c : status["conditions"]) {
    EXPECT_FALSE(c.value("lastTransitionTime", "").empty()) << c.dump();
    EXPECT_FALSE(c.value("lastUpdateTime", "").empty()) << c.dump();
  }
  EXPECT_EQ(condition(etcd, "Ready")["message"], "The majority of ETCD members is ready");
  EXPECT_EQ(condition(etcd, "AllMembersReady")["message"], "All members are ready");
  EXPECT_EQ(condition(etcd, "AllMembersUpdated")["message"],
            "All members reflect latest desired spec");
  EXPECT_EQ(condition(etcd, "BackupReady")["message"], "Snapshot backup succeeded");
  EXPECT_EQ(condition(etcd, "ClusterIDMismatch")["message"],
            "No cluster ID mismatch detected among ETCD members");
  EXPECT_EQ(condition(etcd, "DataVolumesReady")["message"],
            "No warning events found for PVCs used by StatefulSet " + std::string(kTestNamespace) +
                "/" + kEtcd);

  ASSERT_EQ(status["members"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const json& m = status["members"][i];
    EXPECT_EQ(m["name"], kEtcd + "-" + std::to_string(i));
    EXPECT_EQ(m["id"], ClusterSimulator::member_id(i));
    EXPECT_EQ(m["role"], i == 0 ? "Leader" : "Member");
    EXPECT_EQ(m["status"], "Ready");
    EXPECT_EQ(m["reason"], "LeaseSucceeded");
    EXPECT_FALSE(m.value("lastTransitionTime", "").empty());
  }

  EXPECT_EQ(status["ready"], true);
  EXPECT_EQ(status["replicas"], 3);
  EXPECT_EQ(status["currentReplicas"], 3);
  EXPECT_EQ(status["readyReplicas"], 3);
  EXPECT_EQ(status["etcd"],
            json({{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", kEtcd}}));
  EXPECT_EQ(status["selector"],
            "app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=" + kEtcd);
  EXPECT_FALSE(status.contains("bootstrapWithExistingCluster"));

  // What `kubectl describe etcd` shows of the way there.
  EXPECT_TRUE(env_.has_event_eventually("Normal Created: Reconciled generation 1: created "));
  EXPECT_TRUE(env_.has_event_eventually("Normal ClusterReady: Ready is True (Quorate)"));
  EXPECT_TRUE(env_.has_event_eventually("Normal MembersReady: AllMembersReady is True"));
  for (const auto& event : env_.etcd_events()) {
    if (event.rfind("Normal Created:", 0) != 0) continue;
    for (const char* object :
         {"ServiceAccount etcd-main", "Role druid.gardener.cloud:etcd:etcd-main",
          "Service etcd-main-client", "ConfigMap etcd-main-config", "Lease etcd-main-full-snap",
          "StatefulSet etcd-main"}) {
      EXPECT_NE(event.find(object), std::string::npos) << object << " in " << event;
    }
  }
  // The operator saw member 0 lead all along.
  EXPECT_EQ(env_.op().etcd_metrics().snapshot().at({kTestNamespace, kEtcd}).leader_changes, 0u);
  sim_.set_leader(1);
  EXPECT_TRUE(wait_for([&](const json&) {
    return env_.op().etcd_metrics().snapshot().at({kTestNamespace, kEtcd}).leader_changes == 1;
  }));
}

// reconciler_test.go "... not all sts replicas are ready", "... current revision is older
// than update revision": the StatefulSet fields mirror the StatefulSet.
TEST_F(EtcdStatusTest, StatefulSetFieldsFollowTheStatefulSet) {
  ASSERT_TRUE(all_ready_eventually());

  sim_.set_ready_replicas(2);
  EXPECT_TRUE(wait_for([](const json& e) {
    const json s = status_of(e);
    return s.value("ready", true) == false && s.value("readyReplicas", 0) == 2 &&
           s.value("currentReplicas", 0) == 3 && s.value("replicas", 0) == 3;
  })) << status_of(env_.etcd()).dump(2);

  sim_.set_ready_replicas(std::nullopt);
  EXPECT_TRUE(wait_for(all_ready));

  sim_.set_rollout_in_progress(true);
  EXPECT_TRUE(wait_for([](const json& e) {
    return status_of(e).value("ready", true) == false &&
           condition_is(e, "AllMembersUpdated", "False", "NotAllMembersUpdated");
  })) << status_of(env_.etcd()).dump(2);
  EXPECT_EQ(condition(env_.etcd(), "AllMembersUpdated")["message"],
            "At least one member is not yet updated");
  EXPECT_EQ(status_of(env_.etcd())["readyReplicas"], 3);
  EXPECT_TRUE(
      env_.has_event_eventually("Normal RolloutStarted: Updating members: 0 of 3 members "
                                "updated to revision "));

  sim_.set_rollout_in_progress(false);
  EXPECT_TRUE(wait_for(all_ready));
  EXPECT_TRUE(env_.has_event_eventually(
      "Normal RolloutCompleted: Every member runs the latest desired spec"));
}

// One member stops renewing: Unknown, then NotReady after the grace period;
// the cluster stays quorate. A second one lost: quorum lost. Both back: ready.
TEST_F(EtcdStatusTest, MembersThatStopRenewingLoseReadinessThenQuorum) {
  ASSERT_TRUE(all_ready_eventually());
  const std::string member0_since = member(env_.etcd(), kEtcd + "-0")["lastTransitionTime"];
  const std::string ready_since = condition(env_.etcd(), "Ready")["lastTransitionTime"];

  sim_.set_renewed_ago(2, kInUnknownWindow);
  EXPECT_TRUE(wait_for([](const json& e) {
    return member_is(e, 2, "Unknown", "LeaseExpired") &&
           condition_is(e, "AllMembersReady", "False", "NotAllMembersReady");
  })) << status_of(env_.etcd()).dump(2);
  json etcd = env_.etcd();
  EXPECT_TRUE(condition_is(etcd, "Ready", "True", "Quorate"));
  EXPECT_EQ(condition(etcd, "AllMembersReady")["message"], "At least one member is not ready");
  EXPECT_TRUE(env_.has_event_eventually(
      "Warning MemberNotReady: AllMembersReady is False (NotAllMembersReady): At least one member "
      "is not ready; not ready: etcd-main-2 (LeaseExpired)"));
  // Unknown members are left out of the cluster ID comparison.
  EXPECT_TRUE(condition_is(etcd, "ClusterIDMismatch", "False", "NoClusterIDMismatchDetected"));

  sim_.set_renewed_ago(2, kPastGracePeriod);
  EXPECT_TRUE(wait_for([](const json& e) {
    return member_is(e, 2, "NotReady", "UnknownGracePeriodExceeded");
  })) << status_of(env_.etcd()).dump(2);
  etcd = env_.etcd();
  EXPECT_TRUE(condition_is(etcd, "Ready", "True", "Quorate"));
  EXPECT_TRUE(condition_is(etcd, "AllMembersReady", "False", "NotAllMembersReady"));
  // Unchanged statuses keep their transition times.
  EXPECT_EQ(member(etcd, kEtcd + "-0")["lastTransitionTime"], member0_since);
  EXPECT_EQ(condition(etcd, "Ready")["lastTransitionTime"], ready_since);

  // A stale lease whose pod's containers are not ready is NotReady at once.
  sim_.set_containers_ready(1, false);
  sim_.set_renewed_ago(1, kInUnknownWindow);
  EXPECT_TRUE(wait_for([](const json& e) {
    return member_is(e, 1, "NotReady", "ContainersNotReady") &&
           condition_is(e, "Ready", "False", "QuorumLost");
  })) << status_of(env_.etcd()).dump(2);
  EXPECT_EQ(condition(env_.etcd(), "Ready")["message"],
            "The majority of ETCD members is not ready");
  EXPECT_TRUE(env_.has_event_eventually("Warning ClusterNotReady: Ready is False (QuorumLost)"));
  EXPECT_TRUE(member_is(env_.etcd(), 0, "Ready", "LeaseSucceeded"));
  const std::string lost_since = condition(env_.etcd(), "Ready")["lastTransitionTime"];

  sim_.set_containers_ready(1, true);
  sim_.resume_renewing(1);
  sim_.resume_renewing(2);
  EXPECT_TRUE(wait_for(all_ready)) << status_of(env_.etcd()).dump(2);
  // Back to True: the transition is recorded again (timestamps have whole
  // seconds, so "not before the loss" is what can be asserted).
  EXPECT_GE(condition(env_.etcd(), "Ready")["lastTransitionTime"].get<std::string>(), lost_since);
}

// Snapshot leases not renewed: BackupReady degrades to Unknown first, then to
// False; fresh snapshots make it True again.
TEST_F(EtcdStatusTest, StaleSnapshotLeasesMakeBackupUnknownThenFailed) {
  ASSERT_TRUE(all_ready_eventually());

  // Late (older than 2 delta periods), not yet stale (3 periods): Unknown, and
  // it stays Unknown.
  sim_.set_snapshot_leases_renewed_ago(kSnapshotsLate);
  EXPECT_TRUE(wait_for([](const json& e) {
    return condition_is(e, "BackupReady", "Unknown", "Unknown");
  })) << status_of(env_.etcd()).dump(2);
  EXPECT_EQ(condition(env_.etcd(), "BackupReady")["message"],
            "Cannot determine etcd backup status");
  EXPECT_TRUE(
      env_.has_event_eventually("Warning BackupStale: BackupReady is Unknown (Unknown): Cannot "
                                "determine etcd backup status"));
  const auto reconciles = env_.op().reconciles();
  ASSERT_TRUE(wait_for([&](const json&) { return env_.op().reconciles() >= reconciles + 3; }));
  EXPECT_TRUE(condition_is(env_.etcd(), "BackupReady", "Unknown", "Unknown"));

  sim_.set_snapshot_leases_renewed_ago(kSnapshotsStale);
  EXPECT_TRUE(wait_for([](const json& e) {
    return condition_is(e, "BackupReady", "False", "BackupFailed");
  })) << status_of(env_.etcd()).dump(2);
  EXPECT_EQ(condition(env_.etcd(), "BackupReady")["message"],
            "Stale snapshot leases. Not renewed in a long time");
  // Backups do not decide quorum.
  EXPECT_TRUE(condition_is(env_.etcd(), "Ready", "True", "Quorate"));

  sim_.set_snapshot_leases_renewed_ago(std::nullopt);
  EXPECT_TRUE(wait_for(all_ready));

  // Even leases that are stale at once degrade a True condition to Unknown
  // first, and only then to False: every version of the Etcd written since is
  // replayed by a watch, so no state is missed however briefly it lasted.
  const std::string since = env_.etcd()["metadata"]["resourceVersion"];
  sim_.set_snapshot_leases_renewed_ago(kSnapshotsStale);
  ASSERT_TRUE(wait_for([](const json& e) { return condition_is(e, "BackupReady", "False"); }));
  std::vector<std::string> seen = {"True"};
  kube::WatchOptions options;
  options.resource_version = since;
  options.field_selector = "metadata.name=" + kEtcd;
  options.timeout_seconds = 10;
  auto watched = env_.client().watch(
      api::resources::kEtcds, kTestNamespace, options, [&](const kube::WatchEvent& event) {
        const std::string status = condition(event.object, "BackupReady").value("status", "");
        if (seen.back() != status) seen.push_back(status);
        return status != "False";
      });
  ASSERT_TRUE(watched) << watched.error().what();
  EXPECT_EQ(seen, (std::vector<std::string>{"True", "Unknown", "False"}));
}

TEST_F(EtcdStatusTest, MembersReportingDifferentClusterIdsAreAMismatch) {
  ASSERT_TRUE(all_ready_eventually());
  sim_.set_cluster_id(2, "0c9d8e7f6a5b4c3d");
  EXPECT_TRUE(wait_for([](const json& e) {
    return condition_is(e, "ClusterIDMismatch", "True", "MultipleClusterIDsDetected");
  })) << status_of(env_.etcd()).dump(2);
  EXPECT_EQ(condition(env_.etcd(), "ClusterIDMismatch")["message"],
            "Multiple cluster IDs detected among ETCD members");
  // The members themselves are healthy.
  EXPECT_TRUE(condition_is(env_.etcd(), "AllMembersReady", "True"));

  sim_.set_cluster_id(2, ClusterSimulator::kDefaultClusterId);
  EXPECT_TRUE(wait_for(all_ready));
}

// reconciler_test.go "test data volume condition reflects pvc error event".
json pvc_warning_event(const std::string& pvc, const std::string& suffix,
                       const std::string& message) {
  const std::string now = util::format_rfc3339(
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", pvc + "." + suffix}, {"namespace", kTestNamespace}}},
          {"involvedObject",
           {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"name", pvc},
            {"namespace", kTestNamespace}}},
          {"reason", "FailedAttachVolume"},
          {"message", message},
          {"type", "Warning"},
          {"source", {{"component", "attachdetach-controller"}}},
          {"firstTimestamp", now},
          {"lastTimestamp", now},
          {"count", 1}};
}

TEST_F(EtcdStatusTest, WarningEventOfAnUnboundPvcMakesDataVolumesNotReady) {
  ASSERT_TRUE(all_ready_eventually());
  const auto event_lists_at_start = env_.server().controls().request_count("list", "events");
  EXPECT_GE(event_lists_at_start, 1) << "the operator's events informer lists once at start";
  sim_.set_pvc_bound(1, false);
  const std::string pvc = sim_.pvc_name(1);
  ASSERT_TRUE(env_.client().create(
      kube::resources::kEvents, kTestNamespace,
      pvc_warning_event(pvc, "17f0a1b2c3d4e5f6",
                        "AttachVolume.Attach failed for volume \"pv-1\" : timed out")));

  EXPECT_TRUE(wait_for([](const json& e) {
    return condition_is(e, "DataVolumesReady", "False", "FoundWarningsForDataVolumes");
  })) << status_of(env_.etcd()).dump(2);
  const std::string message = condition(env_.etcd(), "DataVolumesReady")["message"];
  EXPECT_TRUE(message.starts_with("Warning for PVC " + std::string(kTestNamespace) + "/" + pvc +
                                  ": -> Events:\n* attachdetach-controller reported "))
      << message;
  EXPECT_TRUE(message.ends_with(" ago: AttachVolume.Attach failed for volume \"pv-1\" : timed out"))
      << message;

  // A later warning shows up too: the status checks went on while the PVC
  // stayed unbound, and none of them listed events (they come from the
  // operator's field-selected cache, issue 16).
  ASSERT_TRUE(env_.client().create(
      kube::resources::kEvents, kTestNamespace,
      pvc_warning_event(pvc, "17f0a1b2c3d4e5f7", "AttachVolume.Attach failed again")));
  EXPECT_TRUE(wait_for([](const json& e) {
    return condition(e, "DataVolumesReady").value("message", "").find("failed again") !=
           std::string::npos;
  })) << status_of(env_.etcd()).dump(2);
  EXPECT_EQ(env_.server().controls().request_count("list", "events"), event_lists_at_start);

  sim_.set_pvc_bound(1, true);
  EXPECT_TRUE(wait_for(all_ready));
}

// Pods and PVCs sit in the operator's cache in their reduced forms
// (src/controller/cached_forms.hpp) while the status still reads them: the
// members above are Ready from the pods' ContainersReady condition.
TEST_F(EtcdStatusTest, PodsAndClaimsAreCachedInTheirReducedForms) {
  ASSERT_TRUE(all_ready_eventually());
  const std::string pod_name = kEtcd + "-0";
  auto live_pod = env_.client().get(kube::resources::kPods, kTestNamespace, pod_name);
  ASSERT_TRUE(live_pod) << live_pod.error().what();
  ASSERT_TRUE(live_pod->contains("spec")) << "the server keeps the whole pod";
  auto cached_pod = env_.op().reader().get(kube::resources::kPods, kTestNamespace, pod_name);
  ASSERT_TRUE(cached_pod && *cached_pod) << "the pod is cached";
  const json& pod = **cached_pod;
  EXPECT_FALSE(pod.contains("spec")) << pod.dump();
  EXPECT_EQ(pod["metadata"]["labels"], live_pod->at("metadata").at("labels"));
  EXPECT_EQ(pod["status"]["conditions"], live_pod->at("status").at("conditions"));

  const std::string claim_name = sim_.pvc_name(0);
  auto cached_claim =
      env_.op().reader().get(kube::resources::kPersistentVolumeClaims, kTestNamespace, claim_name);
  ASSERT_TRUE(cached_claim && *cached_claim) << "the claim is cached";
  EXPECT_EQ(**cached_claim, json({{"apiVersion", "v1"},
                                  {"kind", "PersistentVolumeClaim"},
                                  {"metadata", (**cached_claim)["metadata"]},
                                  {"status", {{"phase", "Bound"}}}}))
      << (*cached_claim)->dump();
}

// Hibernation: with no members to check, every condition keeps its last status
// with reason NotChecked, and the members are gone from the status.
TEST_F(EtcdStatusTest, HibernationMarksConditionsNotChecked) {
  ASSERT_TRUE(all_ready_eventually());
  env_.patch_etcd({{"metadata", {{"annotations", {{"gardener.cloud/operation", "reconcile"}}}}},
                   {"spec", {{"replicas", 0}}}});
  // The pre-sync snapshot (upstream's PreSync) is played here as the ops-task controller would.
  const std::string task = "etcd-main-presync-snapshot-hibernation-0";
  ASSERT_TRUE(wait_for([&](const json&) {
    return env_.get("etcdopstasks.druid.gardener.cloud", task).has_value();
  })) << status_of(env_.etcd()).dump(2);
  ASSERT_TRUE(env_.client().patch(api::resources::kEtcdOpsTasks, kTestNamespace, task,
                                  kube::PatchType::kMerge, {{"status", {{"state", "Succeeded"}}}},
                                  "status"));

  // Zero replicas are omitted from the status, as Go's omitempty does.
  EXPECT_TRUE(wait_for([&](const json& e) {
    const json s = status_of(e);
    const auto sts = env_.get("statefulsets.apps", kEtcd);
    return sts && (*sts)["spec"]["replicas"] == 0 && s.value("currentReplicas", 0) == 0 &&
           s.value("readyReplicas", 0) == 0 && s.value("members", json::array()).empty();
  })) << status_of(env_.etcd()).dump(2);
  const json etcd = env_.etcd();
  const auto types = types_of(etcd);
  EXPECT_EQ(types.size(), 6u);
  const json status = status_of(etcd);  // the loop reads into it: not a temporary
  for (const auto& c : status["conditions"]) {
    EXPECT_EQ(c["reason"], "NotChecked") << c.dump();
    EXPECT_EQ(c["message"], "etcd cluster has been scaled down") << c.dump();
  }
  EXPECT_EQ(condition(etcd, "Ready")["status"], "True");
  EXPECT_EQ(condition(etcd, "ClusterIDMismatch")["status"], "False");
  EXPECT_TRUE(env_.get("pods", kEtcd + "-0") == std::nullopt);
}

// Status is written only when it changes, plus the heartbeat (5 s here,
// 5 minutes by default) that refreshes lastUpdateTime alone.
TEST_F(EtcdStatusTest, SteadyStateWritesOnlyTheHeartbeat) {
  // The write that made everything ready was the last change: the next write
  // due is the heartbeat, at least kHeartbeat - 1 s later (lastUpdateTime has
  // whole seconds).
  ASSERT_TRUE(all_ready_eventually());
  const json settled = status_of(env_.etcd());
  const std::int64_t writes = status_patches();
  const auto reconciles = env_.op().reconciles();
  ASSERT_TRUE(wait_for([&](const json&) { return env_.op().reconciles() >= reconciles + 6; },
                       kHeartbeat - seconds(2)));
  EXPECT_EQ(status_patches(), writes) << "status written without a change";

  // The heartbeat changes nothing but lastUpdateTime.
  // (The request counter moves when the request arrives, before the store
  // does: wait for the stored status.)
  const auto first_update = settled["conditions"][0]["lastUpdateTime"].get<std::string>();
  ASSERT_TRUE(wait_for(
      [&](const json& e) {
        return status_of(e)["conditions"][0]["lastUpdateTime"].get<std::string>() != first_update;
      },
      2 * kHeartbeat));
  EXPECT_EQ(status_patches(), writes + 1);
  const json refreshed = status_of(env_.etcd());
  EXPECT_EQ(without_update_times(refreshed), without_update_times(settled));
  for (std::size_t i = 0; i < refreshed["conditions"].size(); ++i) {
    EXPECT_GT(refreshed["conditions"][i]["lastUpdateTime"].get<std::string>(),
              settled["conditions"][i]["lastUpdateTime"].get<std::string>());
  }
}

// reconciler_test.go TestScaleSubresource.
TEST_F(EtcdStatusTest, ScaleSubresourceShowsReplicasAndSelector) {
  ASSERT_TRUE(wait_for([](const json& e) { return status_of(e).value("replicas", 0) == 3; }))
      << sim_.last_error();
  auto scale = env_.client().get_scale(api::resources::kEtcds, kTestNamespace, kEtcd);
  ASSERT_TRUE(scale) << scale.error().what();
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_EQ((*scale)["spec"]["replicas"], 3);
  EXPECT_EQ((*scale)["status"]["replicas"], 3);
  EXPECT_EQ((*scale)["status"]["selector"],
            "app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=" + kEtcd);
}

}  // namespace
}  // namespace druid::test
