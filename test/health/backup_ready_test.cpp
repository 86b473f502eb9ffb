#include <gtest/gtest.h>

#include "health/condition_backup_ready.hpp"
#include "health/health_support.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders
using nlohmann::json;

const CheckResult kUnknown{"BackupReady", "Unknown", "Unknown",
                           "Cannot determine etcd backup status"};
const CheckResult kSucceeded{"BackupReady", "True", "BackupSucceeded", "Snapshot backup succeeded"};
const CheckResult kDeltaSucceeded{"BackupReady", "True", "BackupSucceeded",
                                  "Delta snapshot backup succeeded"};
const CheckResult kDeltaNotStarted{"BackupReady", "Unknown", "Unknown",
                                   "Periodic delta snapshots not started yet"};
const CheckResult kFailed{"BackupReady", "False", "BackupFailed",
                          "Stale snapshot leases. Not renewed in a long time"};

// Snapshot leases renewed `age` before t0 (nullopt = never renewed), created a
// day-and-a-bit ago unless said otherwise.
json snap_lease(const char* name, std::optional<std::chrono::nanoseconds> age,
                std::chrono::nanoseconds created_ago = 30h) {
  json lease = lease_json(name, std::string("100"),
                          age ? std::optional<util::Time>(t0() - *age) : std::nullopt);
  lease["metadata"]["creationTimestamp"] = rfc3339(t0() - created_ago);
  return lease;
}

struct Snapshots {
  api::Etcd etcd = etcd_with_store();
  std::optional<json> full;
  std::optional<json> delta;

  Snapshots& previous(const char* status) {
    etcd.status = api::EtcdStatus{};
    etcd.status->conditions.push_back(condition("BackupReady", status));
    return *this;
  }
  std::optional<CheckResult> check() const {
    return check_backup_ready(etcd, full ? &*full : nullptr, delta ? &*delta : nullptr, t0());
  }
};

Snapshots leases(std::optional<std::chrono::nanoseconds> full_age,
                 std::optional<std::chrono::nanoseconds> delta_age) {
  Snapshots s;
  s.full = snap_lease("etcd-main-full-snap", full_age);
  s.delta = snap_lease("etcd-main-delta-snap", delta_age);
  return s;
}

TEST(BackupReadyCondition, OmittedWithoutStoreProvider) {
  Snapshots s = leases(1h, 10s);
  s.etcd = etcd(3);
  EXPECT_EQ(s.check(), std::nullopt);
  json j = druid::test::base_etcd_json(3);
  j["spec"]["backup"]["store"] = {{"prefix", "p"}};
  s.etcd = druid::test::decode(j);
  EXPECT_EQ(s.check(), std::nullopt);
  j["spec"]["backup"]["store"]["provider"] = "";
  s.etcd = druid::test::decode(j);
  EXPECT_EQ(s.check(), std::nullopt);
}

TEST(BackupReadyCondition, BothLeasesFreshSucceeds) {
  EXPECT_EQ(leases(1h, 10s).check(), kSucceeded);
  EXPECT_EQ(leases(23h, 39s).check(), kSucceeded);
}

TEST(BackupReadyCondition, UnsetDeltaPeriodUsesTheSidecarDefaultOf20s) {
  // 2 x 20s = 40s.
  EXPECT_EQ(leases(1h, 39s).check(), kSucceeded);
  EXPECT_EQ(leases(1h, 41s).check(), kUnknown);
}

TEST(BackupReadyCondition, ConfiguredDeltaPeriodWidensTheWindow) {
  Snapshots s = leases(1h, 90s);
  s.etcd.spec.backup.delta_snapshot_period = "1m";
  EXPECT_EQ(s.check(), kSucceeded);
  s.etcd.spec.backup.delta_snapshot_period = "30s";
  EXPECT_EQ(s.check(), kUnknown);
}

TEST(BackupReadyCondition, FullSnapshotOlderThanIntervalIsNotReady) {
  EXPECT_EQ(leases(24h + 1s, 10s).check(), kUnknown);
}

TEST(BackupReadyCondition, OnlyDeltaLeaseRenewed) {
  Snapshots s = leases(std::nullopt, 10s);
  s.full = snap_lease("etcd-main-full-snap", std::nullopt, 1h);
  EXPECT_EQ(s.check(), kDeltaSucceeded);
  s.full = snap_lease("etcd-main-full-snap", std::nullopt, 25h);  // full lease too old
  EXPECT_EQ(s.check(), kUnknown);
  s.full = snap_lease("etcd-main-full-snap", std::nullopt, 1h);
  s.delta = snap_lease("etcd-main-delta-snap", 45s);  // delta too old
  EXPECT_EQ(s.check(), kUnknown);
  s.delta = snap_lease("etcd-main-delta-snap", 10s);
  s.full->at("metadata").erase("creationTimestamp");  // unknown age: cannot prove
  EXPECT_EQ(s.check(), kUnknown);
}

TEST(BackupReadyCondition, OnlyFullLeaseRenewed) {
  // More than 5 x 20s = 100s after the full snapshot deltas should have started.
  EXPECT_EQ(leases(101s, std::nullopt).check(), kDeltaNotStarted);
  EXPECT_EQ(leases(60s, std::nullopt).check(), kUnknown);
  // Without a delta renewal the condition never turns False.
  EXPECT_EQ(leases(2h, std::nullopt).previous("Unknown").check(), kDeltaNotStarted);
}

TEST(BackupReadyCondition, NeverRenewedOrMissingLeasesAreUnknown) {
  EXPECT_EQ(leases(std::nullopt, std::nullopt).check(), kUnknown);
  Snapshots s = leases(1h, 10s);
  s.full.reset();
  EXPECT_EQ(s.check(), kUnknown);
  s = leases(1h, 10s);
  s.delta.reset();
  EXPECT_EQ(s.check(), kUnknown);
}

TEST(BackupReadyCondition, StaleLeasesDegradeToUnknownThenFalse) {
  // Delta more than 3 x 20s = 60s old.
  EXPECT_EQ(leases(1h, 2min).check(), kUnknown);                     // no previous condition
  EXPECT_EQ(leases(1h, 2min).previous("True").check(), kUnknown);    // True first degrades
  EXPECT_EQ(leases(1h, 2min).previous("Unknown").check(), kFailed);  // then False
  EXPECT_EQ(leases(1h, 2min).previous("False").check(), kFailed);    // and stays False
  EXPECT_EQ(leases(1h, 50s).previous("Unknown").check(), kUnknown);  // not yet 3 periods
  EXPECT_EQ(leases(25h, 10s).previous("False").check(), kUnknown);   // full stale, delta fresh
}

TEST(BackupReadyCondition, OtherPreviousConditionsDoNotCount) {
  Snapshots s = leases(1h, 2min);
  s.etcd.status = api::EtcdStatus{};
  s.etcd.status->conditions.push_back(condition("Ready", "Unknown"));
  EXPECT_EQ(s.check(), kUnknown);
}

TEST(BackupReadyCondition, StaleLeasesWithStaleFullLeaseOnlyWhenDeltaRenewed) {
  Snapshots s = leases(std::nullopt, 5min).previous("Unknown");
  s.full = snap_lease("etcd-main-full-snap", std::nullopt, 1h);
  EXPECT_EQ(s.check(), kFailed);
}

TEST(BackupReadyCondition, FullSnapshotScheduleSetsTheInterval) {
  Snapshots s = leases(3h, 10s);
  s.etcd.spec.backup.full_snapshot_schedule = "0 */4 * * *";  // every 4 hours
  EXPECT_EQ(s.check(), kSucceeded);
  s.full = snap_lease("etcd-main-full-snap", 5h);
  EXPECT_EQ(s.check(), kUnknown);
  s.etcd.spec.backup.full_snapshot_schedule = "0 0 * * 1";  // weekly
  s.full = snap_lease("etcd-main-full-snap", 100h);
  EXPECT_EQ(s.check(), kSucceeded);
}

TEST(BackupReadyCondition, UnparsableScheduleIsUnknown) {
  Snapshots s = leases(1h, 10s);
  s.etcd.spec.backup.full_snapshot_schedule = "every day";
  EXPECT_EQ(s.check(), kUnknown);
  s.etcd.spec.backup.full_snapshot_schedule = "0 0 31 2 *";  // never fires
  EXPECT_EQ(s.check(), kUnknown);
}

TEST(BackupReadyCondition, UnparsableDeltaPeriodIsUnknown) {
  Snapshots s = leases(1h, 10s);
  s.etcd.spec.backup.delta_snapshot_period = "soon";
  EXPECT_EQ(s.check(), kUnknown);
}

TEST(BackupReadyCondition, UnparsableRenewTimeCountsAsNotRenewed) {
  Snapshots s = leases(1h, 10s);
  s.full->at("spec")["renewTime"] = "garbage";
  s.full->at("metadata")["creationTimestamp"] = rfc3339(t0() - 1h);
  EXPECT_EQ(s.check(), kDeltaSucceeded);
}

TEST(FullSnapshotInterval, GapBetweenTheNextTwoActivations) {
  EXPECT_EQ(full_snapshot_interval("0 */4 * * *", t0()), std::chrono::hours(4));
  EXPECT_EQ(full_snapshot_interval("*/30 * * * *", t0()), std::chrono::minutes(30));
  EXPECT_EQ(full_snapshot_interval("0 0 * * *", t0()), std::chrono::hours(24));
  EXPECT_EQ(full_snapshot_interval("0 0 * * 1", t0()), std::chrono::hours(24 * 7));
  EXPECT_EQ(full_snapshot_interval("61 * * * *", t0()), std::nullopt);
  EXPECT_EQ(full_snapshot_interval("", t0()), std::nullopt);
}

}  // namespace
}  // namespace druid::health
