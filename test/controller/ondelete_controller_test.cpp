// The OnDelete controller against the test API server (docs/quorum-aware-updates.md,
// "What the controller does"): a 3-member rollout replaces one pod at a time, followers first and
// the leader last after a (fake) leader transfer, with one Event per pod and
// the metric; switching to RollingUpdate makes it inert; and a restart after
// each deletion never lets a second participating pod go early.
//
// The test plays the StatefulSet controller and the kubelet for OnDelete
// (test/support/cluster_simulator.hpp creates pods once and never rolls them,
// so it does not fit): missing pods are recreated at status.updateRevision,
// starting; they turn ready in a later sync; a deleted pod stays terminating
// (a finalizer stands for the grace period) until the next sync.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/resources.hpp"
#include "controller/ondelete/setup.hpp"
#include "kube/manager.hpp"
#include "kube/resource.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"

namespace druid::controller::ondelete {
namespace {

using nlohmann::json;
using test::kTestEtcdName;
using test::kTestNamespace;
using namespace std::chrono_literals;

constexpr const char* kOld = "etcd-main-rev1";
constexpr const char* kNew = "etcd-main-rev2";
constexpr const char* kKubelet = "test.druid/kubelet";
constexpr int kReplicas = 3;

const json kManaged = {{"app.kubernetes.io/managed-by", "etcd-druid"},
                       {"app.kubernetes.io/part-of", kTestEtcdName}};

std::uint64_t member_id(int ordinal) {
  return 0x3f0a9c6e5d2b1000ULL + static_cast<std::uint64_t>(ordinal);
}

class FakeTransfer final : public LeaderTransfer {
 public:
  struct Call {
    std::string leader, target;
    std::uint64_t id;
  };
  util::Expected<std::monostate, LeaderTransferError> transfer(
      const LeaderTransferRequest& request) override {
    const std::lock_guard lock(mutex_);
    calls_.push_back({request.leader_pod, request.target_pod, request.target_member_id});
    if (!fail_.empty()) return util::unexpected(LeaderTransferError{fail_});
    return std::monostate{};
  }
  std::vector<Call> calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }
  void fail_with(std::string message) {
    const std::lock_guard lock(mutex_);
    fail_ = std::move(message);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  std::string fail_;
};

// One operator process running only the OnDelete controller.
class Operator {
 public:
  Operator(kube::Client& client, LeaderTransfer* transfer) : manager_(client) {
    OnDeleteControllerConfig config;
    config.requeue_interval = 100ms;
    wiring_ = add_ondelete_controller(manager_, transfer, config);
    run_ = std::async(std::launch::async, [this] { return manager_.run(); });
  }
  ~Operator() {
    manager_.request_stop();
    run_.wait();
  }
  PodUpdateMetrics::Snapshot metrics() const { return wiring_->metrics->snapshot(); }

 private:
  kube::Manager manager_;
  std::unique_ptr<OnDeleteController> wiring_;
  std::future<util::Expected<std::monostate, kube::ManagerError>> run_;
};

class OnDeleteControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    live_.server().install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd");
    ASSERT_EQ(kube::test::create_namespace(client(), kTestNamespace), "");
    operator_client_ = live_.make_client();
    json etcd = test::base_etcd_json(kReplicas);
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    auto created = client().create(api::resources::kEtcds, kTestNamespace, etcd);
    ASSERT_TRUE(created) << created.error().what();
    etcd_uid_ = (*created)["metadata"]["uid"];
    json sts = {{"apiVersion", "apps/v1"},
                {"kind", "StatefulSet"},
                {"metadata",
                 {{"name", kTestEtcdName},
                  {"namespace", kTestNamespace},
                  {"labels", kManaged},
                  {"ownerReferences",
                   {{{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                     {"kind", "Etcd"},
                     {"name", kTestEtcdName},
                     {"uid", etcd_uid_},
                     {"controller", true}}}}}},
                {"spec",
                 {{"replicas", kReplicas},
                  {"selector", {{"matchLabels", kManaged}}},
                  {"serviceName", "etcd-main-peer"},
                  {"updateStrategy", {{"type", "OnDelete"}}},
                  {"template",
                   {{"metadata", {{"labels", kManaged}}},
                    {"spec", {{"containers", {{{"name", "etcd"}, {"image", "etcd:1"}}}}}}}}}}};
    auto sts_created = client().create(kube::resources::kStatefulSets, kTestNamespace, sts);
    ASSERT_TRUE(sts_created) << sts_created.error().what();
    sts_uid_ = (*sts_created)["metadata"]["uid"];
    set_update_revision(kOld);
    // A steady cluster at the old revision, member 0 leading.
    for (int i = 0; i < kReplicas; ++i) {
      create_pod(i, kOld);
      set_ready(i);
      revisions_[i] = kOld;
    }
    write_leases();
  }

  kube::Client& client() { return live_.client(); }
  std::string pod_name(int i) const { return std::string(kTestEtcdName) + "-" + std::to_string(i); }

  void set_update_revision(const std::string& revision) {
    auto patched = client().patch(
        kube::resources::kStatefulSets, kTestNamespace, kTestEtcdName, kube::PatchType::kMerge,
        {{"status",
          {{"updateRevision", revision}, {"currentRevision", kOld}, {"observedGeneration", 1}}}},
        "status");
    ASSERT_TRUE(patched) << patched.error().what();
  }
  void set_update_strategy(const std::string& type) {
    auto patched =
        client().patch(kube::resources::kStatefulSets, kTestNamespace, kTestEtcdName,
                       kube::PatchType::kMerge, {{"spec", {{"updateStrategy", {{"type", type}}}}}});
    ASSERT_TRUE(patched) << patched.error().what();
  }

  void create_pod(int i, const std::string& revision) {
    json labels = kManaged;
    labels["controller-revision-hash"] = revision;
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", pod_name(i)},
                  {"namespace", kTestNamespace},
                  {"labels", labels},
                  {"finalizers", {kKubelet}},
                  {"ownerReferences",
                   {{{"apiVersion", "apps/v1"},
                     {"kind", "StatefulSet"},
                     {"name", kTestEtcdName},
                     {"uid", sts_uid_},
                     {"controller", true}}}}}},
                {"spec", {{"containers", {{{"name", "etcd"}, {"image", "etcd"}}}}}}};
    auto created = client().create(kube::resources::kPods, kTestNamespace, pod);
    ASSERT_TRUE(created) << created.error().what();
    pod_status(i, false, {{"waiting", {{"reason", "ContainerCreating"}}}});
  }
  void pod_status(int i, bool ready, const json& state) {
    auto patched = client().patch(
        kube::resources::kPods, kTestNamespace, pod_name(i), kube::PatchType::kMerge,
        {{"status",
          {{"phase", "Running"},
           {"containerStatuses", {{{"name", "etcd"}, {"ready", ready}, {"state", state}}}}}}},
        "status");
    ASSERT_TRUE(patched) << patched.error().what();
  }
  void set_ready(int i) { pod_status(i, true, {{"running", json::object()}}); }

  void write_leases() {
    for (int i = 0; i < kReplicas; ++i) {
      const std::string role = i == leader_ ? "Leader" : "Member";
      json lease = {
          {"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata",
           {{"name", pod_name(i)}, {"namespace", kTestNamespace}, {"labels", kManaged}}},
          {"spec",
           {{"holderIdentity", fmt::format("{:x}:b7a3c1d2e4f50617:{}", member_id(i), role)}}}};
      auto existing = client().get(kube::resources::kLeases, kTestNamespace, pod_name(i));
      if (existing) {
        ASSERT_TRUE(client().patch(kube::resources::kLeases, kTestNamespace, pod_name(i),
                                   kube::PatchType::kMerge, {{"spec", lease["spec"]}}));
      } else {
        ASSERT_TRUE(client().create(kube::resources::kLeases, kTestNamespace, lease));
      }
    }
  }

  // One round of the StatefulSet controller and kubelet. Returns the members
  // that did not participate at the start of the round; records deletions.
  int play() {
    int unavailable = 0;
    auto listed = client().list(kube::resources::kPods, kTestNamespace);
    EXPECT_TRUE(listed);
    std::map<int, json> pods;
    for (const auto& pod : (*listed)["items"]) {
      const std::string name = pod["metadata"]["name"];
      pods[std::stoi(name.substr(std::string(kTestEtcdName).size() + 1))] = pod;
    }
    for (int i = 0; i < kReplicas; ++i) {
      auto found = pods.find(i);
      if (found == pods.end()) {
        ++unavailable;
        if (!paused_) {
          create_pod(i, update_revision_);
          revisions_[i] = update_revision_;
        }
        continue;
      }
      const json& pod = found->second;
      const bool ready = pod.value(json::json_pointer("/status/containerStatuses/0/ready"), false);
      if (pod["metadata"].contains("deletionTimestamp")) {
        ++unavailable;
        if (deleted_.empty() ||
            deleted_.back() != pod_name(i) + "/" + std::string(pod["metadata"]["uid"])) {
          deleted_.push_back(pod_name(i) + "/" + std::string(pod["metadata"]["uid"]));
          order_.push_back(i);
        }
        // The grace period ends: the kubelet lets the pod go.
        if (!paused_) {
          EXPECT_TRUE(client().patch(kube::resources::kPods, kTestNamespace, pod_name(i),
                                     kube::PatchType::kMerge,
                                     {{"metadata", {{"finalizers", nullptr}}}}));
        }
        continue;
      }
      if (!ready) {
        ++unavailable;
        if (!paused_) set_ready(i);
      }
    }
    max_unavailable_ = std::max(max_unavailable_, unavailable);
    return unavailable;
  }

  bool all_updated_and_ready() {
    auto listed = client().list(kube::resources::kPods, kTestNamespace);
    if (!listed || (*listed)["items"].size() != kReplicas) return false;
    for (const auto& pod : (*listed)["items"]) {
      if (pod["metadata"].contains("deletionTimestamp")) return false;
      if (pod["metadata"]["labels"].value("controller-revision-hash", "") != update_revision_) {
        return false;
      }
      if (!pod.value(json::json_pointer("/status/containerStatuses/0/ready"), false)) return false;
    }
    return true;
  }

  std::vector<json> events(const std::string& reason) {
    std::vector<json> out;
    auto listed = client().list(kube::resources::kEvents, kTestNamespace);
    if (!listed) return out;
    for (const auto& e : (*listed)["items"]) {
      if (e.value("reason", "") == reason) out.push_back(e);
    }
    return out;
  }

  void start_rollout(const std::string& revision) {
    update_revision_ = revision;
    set_update_revision(revision);
  }

  kube::test::LiveServer live_;
  std::unique_ptr<kube::Client> operator_client_;
  std::string etcd_uid_, sts_uid_;
  std::map<int, std::string> revisions_;
  std::string update_revision_ = kOld;
  int leader_ = 0;
  bool paused_ = false;
  int max_unavailable_ = 0;
  std::vector<std::string> deleted_;
  std::vector<int> order_;
};

TEST_F(OnDeleteControllerTest, ThreeMembersOneAtATimeFollowersFirstLeaderLastWithTransfer) {
  FakeTransfer transfer;
  Operator op(*operator_client_, &transfer);
  start_rollout(kNew);
  ASSERT_TRUE(kube::test::eventually(
      [&] {
        play();
        return all_updated_and_ready() && order_.size() == 3;
      },
      30s))
      << "deleted so far: " << order_.size();
  // Never more than one member down at any round.
  EXPECT_LE(max_unavailable_, 1);
  EXPECT_EQ(order_, (std::vector<int>{1, 2, 0}));
  // The leader's transfer went to the lowest updated follower.
  const auto calls = transfer.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].leader, "etcd-main-0");
  EXPECT_EQ(calls[0].target, "etcd-main-1");
  EXPECT_EQ(calls[0].id, member_id(1));

  ASSERT_TRUE(
      kube::test::eventually([&] { return events("PodDeletedForUpdate").size() == 3; }, 10s));
  const auto deleted = events("PodDeletedForUpdate");
  std::set<std::string> messages;
  for (const auto& e : deleted) {
    EXPECT_EQ(e["involvedObject"]["kind"], "Etcd");
    EXPECT_EQ(e["involvedObject"]["name"], kTestEtcdName);
    EXPECT_EQ(e["type"], "Normal");
    messages.insert(e["message"]);
  }
  bool leader_message = false;
  for (const auto& m : messages) {
    EXPECT_NE(m.find(std::string(kOld) + " to " + kNew), std::string::npos) << m;
    if (m.find("etcd-main-0 (role Leader)") != std::string::npos) {
      leader_message = true;
      EXPECT_NE(m.find("leadership moved to etcd-main-1"), std::string::npos) << m;
    }
  }
  EXPECT_TRUE(leader_message);
  const auto metrics = op.metrics();
  EXPECT_EQ(metrics.at({kTestNamespace, "deleted"}), 2u);
  EXPECT_EQ(metrics.at({kTestNamespace, "deleted_after_leader_transfer"}), 1u);
  EXPECT_EQ(metrics.count({kTestNamespace, "delete_failed"}), 0u);

  // Done: nothing more happens.
  EXPECT_TRUE(kube::test::never([&] { return events("PodDeletedForUpdate").size() > 3; }, 500ms));
}

TEST_F(OnDeleteControllerTest, FailedTransferFallsBackToAPlainDeleteWithAWarning) {
  FakeTransfer transfer;
  transfer.fail_with("etcdserver: not leader");
  Operator op(*operator_client_, &transfer);
  start_rollout(kNew);
  ASSERT_TRUE(kube::test::eventually(
      [&] {
        play();
        return all_updated_and_ready() && order_.size() == 3;
      },
      30s));
  EXPECT_EQ(order_.back(), 0);
  ASSERT_TRUE(
      kube::test::eventually([&] { return events("LeaderTransferFailed").size() == 1; }, 10s));
  const auto warning = events("LeaderTransferFailed")[0];
  EXPECT_EQ(warning["type"], "Warning");
  EXPECT_NE(std::string(warning["message"]).find("etcdserver: not leader"), std::string::npos);
  EXPECT_EQ(op.metrics().at({kTestNamespace, "deleted_without_leader_transfer"}), 1u);
}

TEST_F(OnDeleteControllerTest, RollingUpdateStrategyIsInert) {
  FakeTransfer transfer;
  set_update_strategy("RollingUpdate");
  Operator op(*operator_client_, &transfer);
  start_rollout(kNew);
  EXPECT_TRUE(kube::test::never([&] { return play() > 0; }, 1500ms));
  EXPECT_TRUE(order_.empty());

  // Turning OnDelete hands the rollout to the controller.
  set_update_strategy("OnDelete");
  EXPECT_TRUE(kube::test::eventually(
      [&] {
        play();
        return all_updated_and_ready() && order_.size() == 3;
      },
      30s));
  EXPECT_LE(max_unavailable_, 1);
}

TEST_F(OnDeleteControllerTest, RestartAfterEachDeletionNeverTakesASecondParticipatingPod) {
  FakeTransfer transfer;
  start_rollout(kNew);
  // No operator may delete anything else while the last deleted pod is away.
  const auto no_second_deletion = [&](std::size_t round, const char* phase) {
    Operator op(*operator_client_, &transfer);  // a fresh process: empty memory
    EXPECT_TRUE(kube::test::never(
        [&] {
          play();
          return order_.size() > round;
        },
        700ms))
        << "a second participating pod went while etcd-main-" << order_.back() << " was " << phase;
  };
  for (std::size_t round = 1; round <= 3; ++round) {
    paused_ = true;  // the kubelet holds the deleted pod (terminating)
    {
      Operator op(*operator_client_, &transfer);
      ASSERT_TRUE(kube::test::eventually(
          [&] {
            play();
            return order_.size() == round;
          },
          20s))
          << "round " << round;
    }  // the operator stops right after the deletion
    no_second_deletion(round, "terminating");

    // The grace period ends: the pod is gone, not yet recreated.
    ASSERT_TRUE(client().patch(kube::resources::kPods, kTestNamespace, pod_name(order_.back()),
                               kube::PatchType::kMerge, {{"metadata", {{"finalizers", nullptr}}}}));
    ASSERT_TRUE(kube::test::eventually([&] {
      return !client().get(kube::resources::kPods, kTestNamespace, pod_name(order_.back()));
    }));
    no_second_deletion(round, "missing");

    // Recreated at the new revision, starting: step 3 holds.
    paused_ = false;
    play();
    paused_ = true;
    no_second_deletion(round, "starting");

    // Ready again.
    paused_ = false;
    ASSERT_TRUE(kube::test::eventually([&] { return play() == 0; }, 10s));
    EXPECT_EQ(revisions_[order_.back()], kNew);
    EXPECT_LE(max_unavailable_, 1);
  }
  EXPECT_EQ(order_, (std::vector<int>{1, 2, 0}));
  EXPECT_TRUE(all_updated_and_ready());
}

}  // namespace
}  // namespace druid::controller::ondelete
