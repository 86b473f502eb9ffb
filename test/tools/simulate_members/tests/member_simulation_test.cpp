// druid-simulate-members' loop (MemberSimulation) and the pods ClusterSimulator
// writes, against the test API server with the operator in-process: the pods
// look ready to kubectl (every container status ready), and once the cluster
// is ready and nothing changes, the server hears only the periodic lease
// renewals — no LIST or GET — while events still get answered.
#include "tools/simulate_members/member_simulation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "support/cluster_simulator.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using kube::test::never;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kReplicas = 3;
constexpr milliseconds kHeartbeat{500};

// The tests' polling loops depend on the simulator's defaults staying short.
static_assert(ClusterSimulator::kRenewInterval == milliseconds(250));
static_assert(ClusterSimulator::kMinSyncInterval == milliseconds(50));

std::string pod_name(int ordinal) {
  return std::string(kTestEtcdName) + "-" + std::to_string(ordinal);
}

// What kubectl's READY column shows as n/n: a status for every container of
// the spec, ready, started and running.
bool containers_ready(const json& pod, bool ready = true) {
  const auto containers = pod.value(json::json_pointer("/spec/containers"), json::array());
  const auto statuses = pod.value(json::json_pointer("/status/containerStatuses"), json::array());
  if (containers.empty() || statuses.size() != containers.size()) return false;
  for (const auto& container : containers) {
    bool found = false;
    for (const auto& status : statuses) {
      if (status.value("name", "") != container.value("name", "")) continue;
      found = status.value("ready", !ready) == ready && status.value("started", false) &&
              status.contains(json::json_pointer("/state/running/startedAt"));
    }
    if (!found) return false;
  }
  return true;
}

class MemberSimulationTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.create_etcd(base_etcd_json(kReplicas)); }
  void TearDown() override { stop_simulation(); }

  void start_simulation() {
    MemberSimulationOptions options;
    options.ns = kTestNamespace;
    options.heartbeat = kHeartbeat;
    simulation_ = std::make_unique<MemberSimulation>(env_.client(), options);
    thread_ = std::thread([this] { simulation_->run(); });
  }
  void stop_simulation() {
    if (!simulation_) return;
    simulation_->request_stop();
    thread_.join();
    simulation_.reset();
  }

  std::optional<json> pod(int ordinal) { return env_.get("pods", pod_name(ordinal)); }
  bool all_pods_ready() {
    for (int i = 0; i < kReplicas; ++i) {
      const auto p = pod(i);
      if (!p || !containers_ready(*p)) return false;
    }
    return true;
  }
  bool etcd_ready() {
    const json status = env_.etcd().value("status", json::object());
    return status.value("ready", false) && status.value("readyReplicas", 0) == kReplicas;
  }
  std::string member_lease_renew_time(int ordinal) {
    const auto lease = env_.get("leases.coordination.k8s.io", pod_name(ordinal));
    return lease ? lease->value(json::json_pointer("/spec/renewTime"), "") : "";
  }

  druid::testing::Controls& controls() { return env_.server().controls(); }
  std::int64_t lease_renewals() { return controls().request_count("patch", "leases"); }
  // Every request except the informers' watches and the lease renewals.
  std::int64_t other_requests() {
    return controls().request_count("", "") - controls().request_count("watch", "") -
           lease_renewals();
  }

  // Runs the simulation with the operator until the Etcd is ready, then stops
  // the operator, so that the server's counters see the simulation alone.
  ::testing::AssertionResult ready_then_alone() {
    start_simulation();
    if (!eventually([&] { return all_pods_ready() && etcd_ready(); }, seconds(30))) {
      return ::testing::AssertionFailure()
             << "pod 0: " << pod(0).value_or(json()).dump(2)
             << "\nEtcd status: " << env_.etcd().value("status", json::object()).dump(2);
    }
    env_.stop_operator();
    return ::testing::AssertionSuccess();
  }

  OperatorEnv env_;
  std::unique_ptr<MemberSimulation> simulation_;
  std::thread thread_;
};

TEST_F(MemberSimulationTest, SimulatorWritesAReadyStatusForEveryContainer) {
  ClusterSimulator sim(env_.client());
  ASSERT_TRUE(eventually(
      [&] {
        sim.sync();
        return all_pods_ready();
      },
      seconds(20), milliseconds(10)))
      << sim.last_error() << "\n"
      << pod(0).value_or(json()).dump(2);
  // The etcd and backup-restore containers: kubectl shows 2/2.
  EXPECT_EQ(pod(0)->at("spec").at("containers").size(), 2u);

  sim.set_containers_ready(1, false);
  ASSERT_TRUE(eventually(
      [&] {
        sim.sync();
        const auto p = pod(1);
        return p && containers_ready(*p, false);
      },
      seconds(10), milliseconds(10)))
      << pod(1).value_or(json()).dump(2);
  EXPECT_TRUE(containers_ready(*pod(0)));
}

TEST_F(MemberSimulationTest, SteadyStateSendsOnlyLeaseRenewals) {
  ASSERT_TRUE(ready_then_alone());
  std::string renewed_before[kReplicas];
  for (int i = 0; i < kReplicas; ++i) renewed_before[i] = member_lease_renew_time(i);
  controls().reset_counts();

  constexpr milliseconds kWindow{kHeartbeat * 4};
  EXPECT_TRUE(never([&] { return other_requests() > 0; }, kWindow))
      << controls().counts_json().dump(2);

  // At most one renewal per member per heartbeat (+1 for a renewal falling
  // due at each edge of the window), and every member renewed.
  const std::int64_t periods = kWindow / kHeartbeat;
  EXPECT_LE(lease_renewals(), kReplicas * (periods + 1)) << controls().counts_json().dump(2);
  EXPECT_GE(lease_renewals(), kReplicas);
  for (int i = 0; i < kReplicas; ++i) {
    EXPECT_NE(member_lease_renew_time(i), renewed_before[i]) << "member " << i;
  }
  EXPECT_EQ(controls().request_count("list", ""), 0);
  EXPECT_EQ(controls().request_count("get", ""), 0);
}

TEST_F(MemberSimulationTest, ADeletedPodComesBackFromTheWatchAlone) {
  ASSERT_TRUE(ready_then_alone());
  const std::string uid = pod(1)->at("metadata").value("uid", "");
  // Before the delete: the simulator may answer before remove() returns.
  controls().reset_counts();
  auto removed = env_.client().remove(kube::resources::kPods, kTestNamespace, pod_name(1));
  ASSERT_TRUE(removed) << removed.error().what();

  ASSERT_TRUE(eventually(
      [&] {
        const auto p = pod(1);
        return p && p->at("metadata").value("uid", "") != uid && containers_ready(*p);
      },
      seconds(10)))
      << pod(1).value_or(json()).dump(2);
  EXPECT_EQ(controls().request_count("create", "pods"), 1);
  EXPECT_EQ(controls().request_count("list", ""), 0) << controls().counts_json().dump(2);
  EXPECT_EQ(controls().request_count("get", ""), 0) << controls().counts_json().dump(2);
}

}  // namespace
}  // namespace druid::test
