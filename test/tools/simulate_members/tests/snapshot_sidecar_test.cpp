// druid-simulate-members for an Etcd with a backup store, against the test API
// server with the Etcd controller in-process: the delta snapshot lease's
// revision grows while the full one stays, and with the compaction controller
// running a `<etcd>-compactor` Job appears, completes, moves the full snapshot
// lease forward and ends in LastSnapshotCompactionSucceeded=True.
#include <gtest/gtest.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "api/image_vector.hpp"
#include "controller/compaction/setup.hpp"
#include "support/controller_harness.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/operator_env.hpp"
#include "tools/simulate_members/member_simulation.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kRevisionsPerDelta = 10;
constexpr std::int64_t kEventsThreshold = 50;
constexpr const char* kFullLease = "etcd-main-full-snap";
constexpr const char* kDeltaLease = "etcd-main-delta-snap";
constexpr const char* kJob = "etcd-main-compactor";

class SnapshotSidecarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json etcd = base_etcd_json(1);
    add_store(etcd, "Local", false);
    env_.create_etcd(etcd);
  }
  void TearDown() override {
    if (simulation_) {
      simulation_->request_stop();
      thread_.join();
    }
    compaction_.stop();
  }

  void start_simulation() {
    MemberSimulationOptions options;
    options.ns = kTestNamespace;
    options.heartbeat = milliseconds(500);
    options.snapshots.delta_snapshot_period = milliseconds(100);
    options.snapshots.revisions_per_delta = kRevisionsPerDelta;
    options.snapshots.compaction_duration = milliseconds(200);
    simulation_ = std::make_unique<MemberSimulation>(env_.client(), options);
    thread_ = std::thread([this] { simulation_->run(); });
  }
  void start_compaction_controller() {
    compaction_.start(env_.client(), [&](kube::Manager& manager) {
      controller::compaction::CompactionControllerConfig config;
      config.events_threshold = kEventsThreshold;
      config.trigger_full_snapshot_threshold = 1000000;
      config.requeue_interval = milliseconds(100);
      wiring_ = controller::compaction::add_compaction_controller(
          manager, api::embedded_image_vector(), sidecar_, config);
    });
  }

  // The revision a snapshot lease holds; -1 without one.
  std::int64_t revision(const char* lease_name) {
    const auto lease = env_.get("leases.coordination.k8s.io", lease_name);
    if (!lease) return -1;
    const std::string holder = lease->value(json::json_pointer("/spec/holderIdentity"), "");
    std::int64_t value = -1;
    const auto [end, error] = std::from_chars(holder.data(), holder.data() + holder.size(), value);
    return error == std::errc() && end == holder.data() + holder.size() ? value : -1;
  }
  std::int64_t accumulated() { return revision(kDeltaLease) - revision(kFullLease); }
  json compaction_condition() {
    for (const auto& condition :
         env_.etcd().value(json::json_pointer("/status/conditions"), json::array())) {
      if (condition.value("type", "") == "LastSnapshotCompactionSucceeded") return condition;
    }
    return nullptr;
  }

  OperatorEnv env_;
  std::unique_ptr<MemberSimulation> simulation_;
  std::thread thread_;
  FakeBackupSidecar sidecar_;
  ManagerRun compaction_;
  std::unique_ptr<controller::compaction::CompactionController> wiring_;
};

TEST_F(SnapshotSidecarTest, DeltaRevisionsGrowWhileTheFullSnapshotStays) {
  start_simulation();
  // A few deltas after the full snapshot the sidecar took when it started.
  ASSERT_TRUE(eventually([&] { return accumulated() >= 2 * kRevisionsPerDelta; }, seconds(20)))
      << "full " << revision(kFullLease) << ", delta " << revision(kDeltaLease);
  const std::int64_t full = revision(kFullLease);
  const std::int64_t delta = revision(kDeltaLease);
  EXPECT_GT(full, 0);

  ASSERT_TRUE(eventually([&] { return revision(kDeltaLease) >= delta + 3 * kRevisionsPerDelta; },
                         seconds(10)))
      << "delta stays at " << revision(kDeltaLease);
  EXPECT_EQ(revision(kFullLease), full);
  // Each delta is one step of revisions_per_delta.
  EXPECT_EQ((revision(kDeltaLease) - full) % kRevisionsPerDelta, 0);
  for (const char* name : {kFullLease, kDeltaLease}) {
    const auto lease = env_.get("leases.coordination.k8s.io", name);
    ASSERT_TRUE(lease);
    EXPECT_NE(lease->value(json::json_pointer("/spec/renewTime"), ""), "") << name;
  }
}

TEST_F(SnapshotSidecarTest, ACompactionJobAppearsCompletesAndMovesTheFullSnapshotForward) {
  start_compaction_controller();
  start_simulation();
  ASSERT_TRUE(eventually([&] { return env_.get("jobs.batch", kJob).has_value(); }, seconds(30)))
      << "full " << revision(kFullLease) << ", delta " << revision(kDeltaLease);
  const std::int64_t full_before = revision(kFullLease);

  // The simulated Job completes; the controller records it and deletes it.
  ASSERT_TRUE(eventually(
      [&] {
        const json condition = compaction_condition();
        return condition.is_object() && condition.value("status", "") == "True";
      },
      seconds(20)))
      << env_.etcd().value("status", json::object()).dump(2);
  EXPECT_EQ(compaction_condition().value("reason", ""), "None");
  EXPECT_EQ(
      compaction_condition().value("message", ""),
      std::string("Compaction job ") + kTestNamespace + "/" + kJob + " completed with state None");
  // The compactor's full snapshot holds at least the threshold's revisions.
  EXPECT_GE(revision(kFullLease), full_before + kEventsThreshold);
  EXPECT_TRUE(sidecar_.calls().empty()) << "a full snapshot was asked of the sidecar";
}

}  // namespace
}  // namespace druid::test
