// The decision of a compaction cycle without a running Job (issue 14, item 1;
// upstream's createCompactionJobOrTriggerFullSnapshot), and which events start
// a cycle (upstream's register.go predicates).
#include <gtest/gtest.h>

#include "controller/compaction/decision.hpp"
#include "controller/compaction/predicate.hpp"
#include "support/fixtures.hpp"

namespace druid::test {
namespace {

using controller::compaction::Action;
using controller::compaction::decide;
using controller::compaction::effective_thresholds;
using controller::compaction::Thresholds;
using nlohmann::json;

json lease(const std::string& name, std::optional<std::string> holder) {
  json object = {{"metadata", {{"name", name}}}, {"spec", json::object()}};
  if (holder) object["spec"]["holderIdentity"] = *holder;
  return object;
}

api::Condition condition(const char* status, const char* reason) {
  api::Condition c;
  c.type = "LastSnapshotCompactionSucceeded";
  c.status = status;
  c.reason = reason;
  return c;
}

const Thresholds kThresholds{1000, 3000};

Action action(std::int64_t full, std::int64_t delta, const api::Condition* last = nullptr) {
  const json f = lease("etcd-main-full-snap", std::to_string(full));
  const json d = lease("etcd-main-delta-snap", std::to_string(delta));
  auto decision = decide(&f, &d, kThresholds, last);
  EXPECT_TRUE(decision);
  EXPECT_EQ(decision->accumulated_revisions, delta - full);
  return decision->action;
}

TEST(CompactionDecision, ThresholdBranches) {
  EXPECT_EQ(action(100, 1099), Action::kNothing);
  EXPECT_EQ(action(100, 1100), Action::kCompact);  // exactly the threshold
  EXPECT_EQ(action(100, 1200), Action::kCompact);
  EXPECT_EQ(action(100, 3099), Action::kCompact);
  EXPECT_EQ(action(100, 3100), Action::kFullSnapshot);  // exactly the upper threshold
  EXPECT_EQ(action(5000, 100), Action::kNothing);       // a fresh full snapshot
}

TEST(CompactionDecision, FullSnapshotAfterDeadlineOrFailedFullSnapshot) {
  const auto deadline = condition("False", "DeadlineExceeded");
  const auto snapshot_failed = condition("False", "ErrorTriggeringFullSnapshot");
  EXPECT_EQ(action(100, 1200, &deadline), Action::kFullSnapshot);
  EXPECT_EQ(action(100, 150, &deadline), Action::kFullSnapshot);  // whatever the revisions
  EXPECT_EQ(action(100, 1200, &snapshot_failed), Action::kFullSnapshot);
  // Other conditions change nothing.
  for (const auto& other : {condition("True", "None"), condition("False", "ProcessFailure"),
                            condition("True", "FullSnapshotTakenSuccessfully"),
                            condition("Unknown", "DeadlineExceeded")}) {
    EXPECT_EQ(action(100, 1200, &other), Action::kCompact) << other.reason;
    EXPECT_EQ(action(100, 150, &other), Action::kNothing) << other.reason;
  }
}

TEST(CompactionDecision, WaitsForLeasesAndRevisions) {
  const json full = lease("etcd-main-full-snap", "100");
  const json delta = lease("etcd-main-delta-snap", "1200");
  const json no_holder = lease("etcd-main-full-snap", std::nullopt);
  EXPECT_EQ(decide(nullptr, &delta, kThresholds, nullptr)->action, Action::kWait);
  EXPECT_EQ(decide(&full, nullptr, kThresholds, nullptr)->action, Action::kWait);
  EXPECT_EQ(decide(&no_holder, &delta, kThresholds, nullptr)->action, Action::kWait);
}

TEST(CompactionDecision, AHolderThatIsNoRevisionIsAnError) {
  const json delta = lease("etcd-main-delta-snap", "1200");
  for (const char* holder : {"", "abc", "12a", "1.5", " 12", "99999999999999999999"}) {
    const json full = lease("etcd-main-full-snap", std::string(holder));
    auto decision = decide(&full, &delta, kThresholds, nullptr);
    ASSERT_FALSE(decision) << holder;
    EXPECT_NE(decision.error().find("Lease etcd-main-full-snap"), std::string::npos);
  }
  const json signed_full = lease("etcd-main-full-snap", "+100");
  EXPECT_EQ(decide(&signed_full, &delta, kThresholds, nullptr)->accumulated_revisions, 1100);
}

TEST(CompactionDecision, PerEtcdThresholdsOverrideTheConfiguration) {
  json etcd = base_etcd_json(3);
  EXPECT_EQ(effective_thresholds(decode(etcd), kThresholds), kThresholds);
  etcd["spec"]["backup"]["snapshotCompaction"] = {{"eventsThreshold", 15}};
  EXPECT_EQ(effective_thresholds(decode(etcd), kThresholds), (Thresholds{15, 3000}));
  etcd["spec"]["backup"]["snapshotCompaction"]["triggerFullSnapshotThreshold"] = 45;
  EXPECT_EQ(effective_thresholds(decode(etcd), kThresholds), (Thresholds{15, 45}));
}

// --- predicates ---------------------------------------------------------------

json job(json status, const std::string& name = "etcd-main-compactor",
         const std::string& owner = "etcd-main") {
  return {{"metadata",
           {{"name", name},
            {"ownerReferences", json::array({{{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                                              {"kind", "Etcd"},
                                              {"name", owner},
                                              {"controller", true}}})}}},
          {"status", std::move(status)}};
}

TEST(CompactionPredicates, SnapshotLeases) {
  const auto predicate = controller::compaction::snapshot_lease_predicate();
  const json full = lease("etcd-main-full-snap", "100");
  const json member = lease("etcd-main-0", "member-id");
  EXPECT_TRUE(predicate.create(full));
  EXPECT_TRUE(predicate.create(lease("etcd-main-delta-snap", std::nullopt)));
  EXPECT_FALSE(predicate.create(member));
  EXPECT_TRUE(predicate.update(full, lease("etcd-main-full-snap", "200")));
  EXPECT_TRUE(predicate.update(lease("etcd-main-full-snap", std::nullopt), full));
  json renewed = full;
  renewed["spec"]["renewTime"] = "2026-12-01T10:00:00.000000Z";
  EXPECT_FALSE(predicate.update(full, renewed));
  EXPECT_FALSE(predicate.update(member, lease("etcd-main-0", "other")));
  EXPECT_FALSE(predicate.remove(full));
}

TEST(CompactionPredicates, CompactionJobsOnlyWhenTheyFinish) {
  const auto predicate = controller::compaction::compaction_job_predicate();
  const json created = job(json::object());
  EXPECT_FALSE(predicate.create(created));
  EXPECT_FALSE(predicate.remove(created));
  EXPECT_FALSE(predicate.update(created, job({{"active", 1}})));  // started
  EXPECT_TRUE(predicate.update(job({{"active", 1}}), job({{"succeeded", 1}})));
  EXPECT_TRUE(predicate.update(job({{"active", 1}}), job({{"failed", 1}})));
  EXPECT_TRUE(predicate.update(job({{"active", 1}, {"ready", 1}}), job({{"active", 0}})));
  // A Complete condition set after the counts.
  EXPECT_TRUE(predicate.update(
      job({{"succeeded", 1}}),
      job({{"succeeded", 1},
           {"conditions", json::array({{{"type", "Complete"}, {"status", "True"}}})}})));
  EXPECT_FALSE(predicate.update(job({{"succeeded", 1}}), job({{"succeeded", 1}})));  // resync
  // Not a compaction job of its owner.
  EXPECT_FALSE(
      predicate.update(job({{"active", 1}}, "other-job"), job({{"failed", 1}}, "other-job")));
  EXPECT_FALSE(predicate.update(job({{"active", 1}}, "etcd-main-compactor", "etcd-events"),
                                job({{"failed", 1}}, "etcd-main-compactor", "etcd-events")));
}

}  // namespace
}  // namespace druid::test
