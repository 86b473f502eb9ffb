// The Etcd's lifecycle Events and per-Etcd metrics as pure functions of what a
// reconcile saw (controller/etcd/lifecycle_events.hpp, controller/etcd/metrics.hpp);
// the controller tests show them arriving in the API server and on /metrics.

#include "controller/etcd/lifecycle_events.hpp"

#include <gtest/gtest.h>

#include "api/resources.hpp"
#include "component/cached_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/etcd/metrics.hpp"
#include "kube/cache.hpp"
#include "kube/resource.hpp"
#include "support/fixtures.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

api::Condition condition(const char* type, const char* status, std::string reason = "",
                         std::string message = "") {
  api::Condition c;
  c.type = type;
  c.status = status;
  c.reason = std::move(reason);
  c.message = std::move(message);
  return c;
}

api::EtcdMemberStatus member(std::string name, const char* status, std::string reason = "",
                             const char* role = api::member::kRoleMember) {
  api::EtcdMemberStatus m;
  m.name = std::move(name);
  m.status = status;
  m.reason = std::move(reason);
  m.role = role;
  return m;
}

TEST(ConditionEvents, WarnWhenAConditionLeavesHealthAndSayWhenItReturns) {
  api::EtcdStatus healthy;
  healthy.conditions = {condition("Ready", "True"), condition("AllMembersReady", "True"),
                        condition("BackupReady", "True"), condition("ClusterIDMismatch", "False")};
  api::EtcdStatus broken;
  broken.conditions = {
      condition("Ready", "True"),
      condition("AllMembersReady", "False", "NotAllMembersReady",
                "At least one member is not ready"),
      condition("BackupReady", "Unknown", "BackupFailed", "Stale snapshot leases"),
      condition("ClusterIDMismatch", "True", "ClusterIDMismatch", "pod etcd-main-2 differs")};
  broken.members = {member("etcd-main-0", "Ready", "LeaseSucceeded", api::member::kRoleLeader),
                    member("etcd-main-1", "NotReady", "LeaseExpired")};

  const auto events = condition_events(healthy, broken);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0],
            (LifecycleEvent{kube::EventType::kWarning, "MemberNotReady",
                            "AllMembersReady is False (NotAllMembersReady): At least one member is "
                            "not ready; not ready: etcd-main-1 (LeaseExpired)"}));
  EXPECT_EQ(events[1], (LifecycleEvent{kube::EventType::kWarning, "BackupStale",
                                       "BackupReady is Unknown (BackupFailed): Stale snapshot "
                                       "leases"}));
  EXPECT_EQ(events[2], (LifecycleEvent{kube::EventType::kWarning, "ClusterIDMismatch",
                                       "ClusterIDMismatch is True (ClusterIDMismatch): pod "
                                       "etcd-main-2 differs"}));

  const auto back = condition_events(broken, healthy);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].reason, "MembersReady");
  EXPECT_EQ(back[0].type, kube::EventType::kNormal);
  EXPECT_EQ(back[1].reason, "BackupReady");
  EXPECT_EQ(back[2].reason, "ClusterIDMismatchResolved");

  EXPECT_TRUE(condition_events(healthy, healthy).empty());
  EXPECT_TRUE(condition_events(broken, broken).empty()) << "no news, no Event";
}

TEST(ConditionEvents, AConditionSeenForTheFirstTimeIsNotNews) {
  api::EtcdStatus fresh;
  api::EtcdStatus first;
  first.conditions = {condition("Ready", "Unknown"), condition("AllMembersReady", "False")};
  EXPECT_TRUE(condition_events(fresh, first).empty());
  api::EtcdStatus ready;
  ready.conditions = {condition("Ready", "True", "Quorate", "The majority are ready"),
                      condition("AllMembersReady", "True")};
  const auto events = condition_events(first, ready);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], (LifecycleEvent{kube::EventType::kNormal, "ClusterReady",
                                       "Ready is True (Quorate): The majority are ready"}));
  EXPECT_EQ(events[1].reason, "MembersReady");
  api::EtcdStatus lost;
  lost.conditions = {condition("Ready", "False", "QuorumLost"),
                     condition("AllMembersReady", "True")};
  ASSERT_EQ(condition_events(ready, lost).size(), 1u);
  EXPECT_EQ(condition_events(ready, lost)[0].reason, "ClusterNotReady");
}

TEST(SpecEvent, CreatedThenAppliedThenDriftCorrected) {
  api::Etcd etcd = test::decode(test::base_etcd_json());
  const std::vector<std::string> created = {"ServiceAccount etcd-main", "StatefulSet etcd-main"};
  auto first = spec_event(etcd, created, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, (LifecycleEvent{kube::EventType::kNormal, "Created",
                                    "Reconciled generation 1: created ServiceAccount etcd-main, "
                                    "StatefulSet etcd-main"}));

  etcd.status = api::EtcdStatus{};
  etcd.status->observed_generation = 1;
  etcd.metadata.generation = 2;
  auto applied = spec_event(etcd, {}, {"ConfigMap etcd-bootstrap", "StatefulSet etcd-main"});
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->reason, "SpecApplied");
  EXPECT_EQ(applied->message,
            "Applied generation 2: updated ConfigMap etcd-bootstrap, StatefulSet etcd-main");
  auto unchanged = spec_event(etcd, {}, {});
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(unchanged->message, "Applied generation 2: no resource needed a change");

  etcd.status->observed_generation = 2;
  EXPECT_FALSE(spec_event(etcd, {}, {})) << "a re-sync that changed nothing says nothing";
  auto repaired = spec_event(etcd, {"Service etcd-main-client"}, {"Role etcd-main"});
  ASSERT_TRUE(repaired);
  EXPECT_EQ(*repaired, (LifecycleEvent{kube::EventType::kNormal, "DriftCorrected",
                                       "Brought generation 2 back: created Service "
                                       "etcd-main-client; updated Role etcd-main"}));
}

json statefulset(int replicas, int updated, const std::string& current, const std::string& update,
                 int current_replicas) {
  return {{"metadata", {{"name", "etcd-main"}, {"namespace", "default"}, {"generation", 2}}},
          {"spec", {{"replicas", replicas}, {"updateStrategy", {{"type", "RollingUpdate"}}}}},
          {"status",
           {{"observedGeneration", 2},
            {"replicas", replicas},
            {"currentReplicas", current_replicas},
            {"updatedReplicas", updated},
            {"currentRevision", current},
            {"updateRevision", update}}}};
}

TEST(RolloutProgress, CountsUpdatedMembersUntilTheRevisionRolledOut) {
  EXPECT_EQ(rollout_progress(statefulset(3, 1, "etcd-main-a", "etcd-main-b", 2), {}),
            "1 of 3 members updated to revision etcd-main-b");
  EXPECT_EQ(rollout_progress(statefulset(3, 3, "etcd-main-b", "etcd-main-b", 3), {}), std::nullopt);
  EXPECT_EQ(rollout_progress(json::object(), {}), std::nullopt)
      << "no revision yet: nothing is known to roll";
}

TEST(EtcdMetrics, CountsLeaderChangesAcrossTimesWithoutALeader) {
  EtcdMetrics metrics;
  const EtcdMetrics::Key key{"default", "etcd-main"};
  metrics.leader_seen(key, "etcd-main-0");
  metrics.leader_seen(key, "etcd-main-0");
  metrics.leader_seen(key, std::nullopt);
  metrics.leader_seen(key, "etcd-main-0");
  EXPECT_EQ(metrics.snapshot().at(key).leader_changes, 0u) << "re-elected: not a change";
  metrics.leader_seen(key, std::nullopt);
  metrics.leader_seen(key, "etcd-main-2");
  metrics.leader_seen(key, "etcd-main-1");
  EXPECT_EQ(metrics.snapshot().at(key).leader_changes, 2u);

  metrics.reconciled(key, std::chrono::milliseconds(1500), false, util::Time{});
  metrics.reconciled(key, std::chrono::milliseconds(250), true,
                     util::Time{std::chrono::seconds(1700000000)});
  const auto recorded = metrics.snapshot().at(key);
  EXPECT_EQ(recorded.reconcile_errors, 1u);
  EXPECT_TRUE(recorded.last_reconcile_succeeded);
  EXPECT_DOUBLE_EQ(recorded.last_reconcile_duration_seconds, 0.25);
  EXPECT_DOUBLE_EQ(recorded.last_reconcile_timestamp_seconds, 1.7e9);
  metrics.forget(key);
  EXPECT_TRUE(metrics.snapshot().empty());
}

TEST(CollectEtcdSeries, ReadsStatusAndSnapshotLeasesFromTheCaches) {
  json with_backup = test::base_etcd_json();
  test::add_store(with_backup);
  with_backup["spec"]["backup"]["deltaSnapshotPeriod"] = "30s";
  with_backup["spec"]["backup"]["fullSnapshotSchedule"] = "0 */12 * * *";
  with_backup["status"] = {
      {"conditions",
       {{{"type", "Ready"}, {"status", "True"}}, {{"type", "BackupReady"}, {"status", "False"}}}},
      {"members",
       {{{"name", "etcd-main-0"}, {"status", "Ready"}, {"role", "Leader"}},
        {{"name", "etcd-main-1"}, {"status", "NotReady"}}}}};
  json plain = test::base_etcd_json(1);
  plain["metadata"]["name"] = "etcd-events";
  plain["metadata"]["namespace"] = "other";

  kube::Cache etcds;
  etcds.upsert(std::make_shared<const json>(with_backup));
  etcds.upsert(std::make_shared<const json>(plain));
  kube::Cache leases;
  const util::Time now{std::chrono::seconds(1700000000)};
  leases.upsert(std::make_shared<const json>(
      json{{"metadata", {{"name", "etcd-main-delta-snap"}, {"namespace", test::kTestNamespace}}},
           {"spec", {{"renewTime", "2023-11-14T22:13:05.000000Z"}}}}));
  leases.upsert(std::make_shared<const json>(
      json{{"metadata", {{"name", "etcd-main-full-snap"}, {"namespace", test::kTestNamespace}}},
           {"spec", json::object()}}));  // no full snapshot yet
  kube::Client client(kube::RestConfig{});
  component::ClientWriter live(client);
  component::CachedReader reader(live);
  reader.add_cache(api::resources::kEtcds, etcds);
  reader.add_cache(kube::resources::kLeases, leases);
  EtcdMetrics recorded;
  recorded.leader_seen({test::kTestNamespace, "etcd-main"}, "etcd-main-0");

  const auto series = collect_etcd_series(reader, recorded, now);
  ASSERT_EQ(series.size(), 2u);
  // Sorted by namespace, then name.
  const EtcdSeries& events = series[0];
  const EtcdSeries& main = series[1];
  EXPECT_EQ(main.name, "etcd-main");
  EXPECT_EQ(main.conditions,
            (std::vector<std::pair<std::string, double>>{{"Ready", 1}, {"BackupReady", 0}}));
  EXPECT_EQ(main.members_desired, 3);
  EXPECT_EQ(main.members_ready, 1);
  ASSERT_TRUE(main.recorded);
  EXPECT_EQ(main.delta_snapshot_age_seconds, 15.0);  // 22:13:20 − 22:13:05
  EXPECT_EQ(main.full_snapshot_age_seconds, std::nullopt);
  EXPECT_EQ(main.delta_snapshot_period_seconds, 30.0);
  EXPECT_EQ(main.full_snapshot_period_seconds, 12 * 3600.0);
  EXPECT_EQ(events.namespace_, "other");
  EXPECT_EQ(events.members_desired, 1);
  EXPECT_FALSE(events.recorded);
  EXPECT_EQ(events.delta_snapshot_period_seconds, std::nullopt) << "no backup store";
}

}  // namespace
}  // namespace druid::controller::etcd
