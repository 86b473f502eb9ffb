#include "health/condition_builder.hpp"

#include <gtest/gtest.h>

#include "health/health_support.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders

const std::string kNow = "2024-05-01T10:00:00Z";
const std::string kBefore = "2024-05-01T09:00:00Z";

CheckResult ready(const char* status) {
  return {"Ready", status, std::string("reason-") + status, std::string("message-") + status};
}

const api::Condition* find(const std::vector<api::Condition>& conditions, const std::string& type) {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

TEST(ConditionBuilder, NewConditionTransitionsAndUpdatesNow) {
  const auto built = build_conditions({}, {ready("True")}, 3, t0());
  ASSERT_EQ(built.size(), 1u);
  EXPECT_EQ(built[0].type, "Ready");
  EXPECT_EQ(built[0].status, "True");
  EXPECT_EQ(built[0].reason, "reason-True");
  EXPECT_EQ(built[0].message, "message-True");
  EXPECT_EQ(built[0].last_transition_time, kNow);
  EXPECT_EQ(built[0].last_update_time, kNow);
}

TEST(ConditionBuilder, UnchangedStatusKeepsTransitionTimeButTakesNewReasonAndMessage) {
  const auto built = build_conditions({condition("Ready", "True", "old", "old message")},
                                      {ready("True")}, 3, t0());
  ASSERT_EQ(built.size(), 1u);
  EXPECT_EQ(built[0].last_transition_time, kBefore);
  EXPECT_EQ(built[0].last_update_time, kNow);
  EXPECT_EQ(built[0].reason, "reason-True");
  EXPECT_EQ(built[0].message, "message-True");
}

TEST(ConditionBuilder, ChangedStatusMovesTransitionTime) {
  const auto built = build_conditions({condition("Ready", "True")}, {ready("False")}, 3, t0());
  EXPECT_EQ(built[0].status, "False");
  EXPECT_EQ(built[0].last_transition_time, kNow);
}

TEST(ConditionBuilder, ScaledDownKeepsPreviousStatusAsNotChecked) {
  const auto built = build_conditions({condition("Ready", "True")}, {ready("False")}, 0, t0());
  ASSERT_EQ(built.size(), 1u);
  EXPECT_EQ(built[0].status, "True");
  EXPECT_EQ(built[0].reason, "NotChecked");
  EXPECT_EQ(built[0].message, "etcd cluster has been scaled down");
  // No transition happened, so the transition time stays (upstream moves it).
  EXPECT_EQ(built[0].last_transition_time, kBefore);
  EXPECT_EQ(built[0].last_update_time, kNow);
}

TEST(ConditionBuilder, ScaledDownNewConditionIsUnknown) {
  const auto built = build_conditions({}, {ready("True")}, 0, t0());
  ASSERT_EQ(built.size(), 1u);
  EXPECT_EQ(built[0].status, "Unknown");
  EXPECT_EQ(built[0].reason, "NotChecked");
  EXPECT_EQ(built[0].message, "etcd cluster has been scaled down");
  EXPECT_EQ(built[0].last_transition_time, kNow);
}

TEST(ConditionBuilder, KeepsUnmanagedAndDropsManagedConditionsNotRecomputed) {
  std::vector<api::Condition> previous = {
      condition("LastSnapshotCompactionSucceeded", "True", "JobSucceeded", "done"),
      condition("BackupReady", "True"),
      condition("BootstrappedWithExistingCluster", "True"),
      condition("SomeoneElses", "False"),
  };
  const auto built = build_conditions(previous, {ready("True")}, 3, t0());
  ASSERT_EQ(built.size(), 3u);
  ASSERT_NE(find(built, "LastSnapshotCompactionSucceeded"), nullptr);
  EXPECT_EQ(*find(built, "LastSnapshotCompactionSucceeded"), previous[0]);  // untouched
  EXPECT_EQ(*find(built, "SomeoneElses"), previous[3]);
  EXPECT_EQ(find(built, "BackupReady"), nullptr);
  EXPECT_EQ(find(built, "BootstrappedWithExistingCluster"), nullptr);
}

TEST(ConditionBuilder, SortsByType) {
  std::vector<CheckResult> results = {
      {"Ready", "True", "r", "m"},           {"DataVolumesReady", "True", "r", "m"},
      {"AllMembersReady", "True", "r", "m"}, {"ClusterIDMismatch", "False", "r", "m"},
      {"BackupReady", "True", "r", "m"},     {"AllMembersUpdated", "True", "r", "m"},
  };
  const auto built =
      build_conditions({condition("LastSnapshotCompactionSucceeded", "True")}, results, 3, t0());
  std::vector<std::string> types;
  for (const auto& c : built) types.push_back(c.type);
  EXPECT_EQ(types, (std::vector<std::string>{"AllMembersReady", "AllMembersUpdated", "BackupReady",
                                             "ClusterIDMismatch", "DataVolumesReady",
                                             "LastSnapshotCompactionSucceeded", "Ready"}));
}

TEST(ConditionBuilder, DuplicatePreviousTypesCollapse) {
  std::vector<api::Condition> previous = {condition("Ready", "False"), condition("Ready", "True"),
                                          condition("Custom", "True"), condition("Custom", "True")};
  const auto built = build_conditions(previous, {ready("True")}, 3, t0());
  ASSERT_EQ(built.size(), 2u);
  EXPECT_EQ(built[1].type, "Ready");
  EXPECT_EQ(built[1].last_transition_time, kBefore);  // the later duplicate (True) counted
}

TEST(ConditionBuilder, KeepsUnknownFieldsOfUpdatedConditions) {
  api::Condition previous = condition("Ready", "True");
  previous.unknown.fields["observedGeneration"] = 4;
  const auto built = build_conditions({previous}, {ready("True")}, 3, t0());
  EXPECT_EQ(built[0].unknown.fields["observedGeneration"], 4);
}

TEST(ConditionBuilder, ManagedTypes) {
  for (const char* type :
       {"Ready", "AllMembersReady", "AllMembersUpdated", "BackupReady", "DataVolumesReady",
        "ClusterIDMismatch", "BootstrappedWithExistingCluster"}) {
    EXPECT_TRUE(is_managed_condition_type(type)) << type;
  }
  EXPECT_FALSE(is_managed_condition_type("LastSnapshotCompactionSucceeded"));
  EXPECT_FALSE(is_managed_condition_type("ready"));
}

}  // namespace
}  // namespace druid::health
