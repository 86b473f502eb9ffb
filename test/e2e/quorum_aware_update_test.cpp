// Quorum-aware pod updates proven on real etcd (issue 18): a client writes
// every 10 ms while a spec change rolls the pods of a 3-member cluster with
// one member frozen (SIGSTOP). With the StatefulSet's RollingUpdate quorum is
// lost; with QuorumAwareUpdatesWithOnDelete the frozen member goes first, the
// leader last after a leadership transfer, and writes keep succeeding.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/real_cluster.hpp"

namespace druid::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Writes a new key every 10 ms through the client Service, as an application
// in the cluster would: the Service's name resolves to a ready member (the
// runtime's hosts file plays kube-proxy), re-resolved for every write. Records
// every failed write and every write that took longer than 1 s.
class Writer {
 public:
  Writer(const RealCluster& cluster, const std::string& etcd_name)
      : cluster_(cluster), etcd_name_(etcd_name), thread_([this] { run(); }) {}
  ~Writer() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  struct Figures {
    int writes = 0;
    int failed = 0;
    int slow = 0;                              // answered after more than 1 s
    std::chrono::milliseconds longest_gap{0};  // between two successful writes
    std::map<std::string, int> errors;         // message -> count
    int retried = 0;  // failed on a member that left the Service, then written through the next
    int resent = 0;   // failed once, then written through the same member
    std::vector<std::string> written;
  };
  Figures figures() {
    std::lock_guard lock(mu_);
    return figures_;
  }

 private:
  void run() {
    auto last_success = Clock::now();
    std::string endpoint_ip;
    std::unique_ptr<etcd::Client> client;
    // Follows the Service to the member it resolves to now.
    const auto resolve = [&] {
      const auto ip = cluster_.client_service_ip(etcd_name_);
      if (ip == endpoint_ip && client) return;
      endpoint_ip = ip;
      client.reset();
      if (ip.empty()) return;
      etcd::ClientOptions options;
      options.endpoints = {"http://" + ip + ":2379"};
      options.timeout = 2s;
      options.connect_timeout = 200ms;
      client = std::make_unique<etcd::Client>(options);
    };
    const auto put = [&](const std::string& key) -> std::optional<std::string> {
      if (!client) return "the client Service has no ready endpoint";
      auto written = client->put(key, "x");
      if (written) return std::nullopt;
      return written.error().message;
    };
    for (int i = 0; !stop_ && i < 60000; ++i) {  // bounded: at most 10 minutes of writes
      const auto key = "w" + std::to_string(i);
      const auto start = Clock::now();
      resolve();
      const auto tried = endpoint_ip;
      auto error = put(key);
      if (error) {
        // An etcd client sends a failed request once more, through the member
        // the Service resolves to now (its pod may have just left the Service):
        // the put of a new key with the same value is idempotent. A write that
        // fails twice is a failure; a single stall of a busy 2-core machine
        // (slow fsync, a member replaying its WAL) is not a lost quorum, which
        // fails every write for as long as the member is away.
        resolve();
        if (endpoint_ip != tried) {
          error = put(key);
          if (!error) {
            std::lock_guard lock(mu_);
            ++figures_.retried;
          }
        } else {
          error = put(key);
          if (!error) {
            std::lock_guard lock(mu_);
            ++figures_.resent;
          }
        }
      }
      const auto end = Clock::now();
      {
        std::lock_guard lock(mu_);
        ++figures_.writes;
        if (!error) {
          figures_.written.push_back(key);
          figures_.longest_gap =
              std::max(figures_.longest_gap,
                       std::chrono::duration_cast<std::chrono::milliseconds>(end - last_success));
          last_success = end;
        } else {
          ++figures_.failed;
          ++figures_.errors[*error];
        }
        if (end - start > 1s) ++figures_.slow;
      }
      std::this_thread::sleep_until(start + 10ms);
    }
  }

  const RealCluster& cluster_;
  std::string etcd_name_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  Figures figures_;
  std::thread thread_;
};

std::string update_revision(const RealCluster& cluster, const std::string& sts) {
  const auto s = cluster.get("statefulsets.apps", sts);
  return s ? s->value("status", json::object()).value("updateRevision", "") : "";
}
bool all_pods_at(const RealCluster& cluster, const std::string& etcd, int replicas,
                 const std::string& revision) {
  for (int i = 0; i < replicas; ++i) {
    const auto p = cluster.pod(etcd + "-" + std::to_string(i));
    if (!p || !cluster.pod_ready(etcd + "-" + std::to_string(i))) return false;
    if (p->at("metadata").value("labels", json::object()).value("controller-revision-hash", "") !=
        revision) {
      return false;
    }
  }
  return true;
}

// Leader changes seen by polling every member's status (raft term increases).
class LeaderWatch {
 public:
  LeaderWatch(const RealCluster& cluster, const std::string& etcd, int replicas)
      : client_(cluster.cluster_client(etcd, replicas, 500ms)), thread_([this] { run(); }) {}
  ~LeaderWatch() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int changes() const { return changes_; }

 private:
  void run() {
    std::uint64_t leader = 0;
    for (int i = 0; !stop_ && i < 6000; ++i) {
      const auto start = Clock::now();
      if (const auto s = client_->status(); s && s->leader != 0) {
        if (leader != 0 && s->leader != leader) ++changes_;
        leader = s->leader;
      }
      std::this_thread::sleep_until(start + 100ms);
    }
  }
  std::unique_ptr<etcd::Client> client_;
  std::atomic<bool> stop_{false};
  std::atomic<int> changes_{0};
  std::thread thread_;
};

struct RolloutFigures {
  Writer::Figures writes;
  int leader_changes = 0;
  bool completed = false;
  std::vector<std::string> deletion_order;
  std::vector<std::string> missing_keys;
  std::string initial_leader;  // the leader's pod before the rollout
};

// One rollout of `replicas` members with `frozen` members SIGSTOPped.
RolloutFigures roll(bool quorum_aware, int replicas, int frozen, const std::string& name) {
  RealClusterOptions options;
  options.feature_gates["QuorumAwareUpdatesWithOnDelete"] = quorum_aware;
  options.pod_start_delay = 3s;  // as pod starts take in a cluster
  RealCluster cluster(options);
  cluster.create_etcd(etcd_manifest(name, replicas));
  RolloutFigures figures;
  if (!cluster.wait_ready(name, replicas, 240s)) {
    ADD_FAILURE() << "the cluster did not become ready\n" << cluster.runtime_log();
    return figures;
  }
  const auto old_revision = update_revision(cluster, name);

  // Freeze the lowest ordinals' etcd processes: they stop participating.
  std::vector<pid_t> stopped;
  for (int i = 0; i < frozen; ++i) {
    const auto pid = cluster.etcd_pid(name + "-" + std::to_string(i));
    if (!pid) {
      ADD_FAILURE() << "no etcd process for " << name << "-" << i;
      return figures;
    }
    ::kill(*pid, SIGSTOP);
    stopped.push_back(*pid);
  }
  for (int i = 0; i < frozen; ++i) {
    const auto pod = name + "-" + std::to_string(i);
    EXPECT_TRUE(kube::test::eventually([&] { return !cluster.pod_ready(pod); }, 60s, 100ms));
  }

  // The leader among the members still participating (a frozen leader is
  // replaced by an election first).
  kube::test::eventually(
      [&] {
        for (int i = frozen; i < replicas; ++i) {
          const auto pod = name + "-" + std::to_string(i);
          if (const auto s = cluster.member_client(pod)->status(); s && s->leader == s->member_id) {
            figures.initial_leader = pod;
            return true;
          }
        }
        return false;
      },
      30s, 200ms);
  Writer writer(cluster, name);
  LeaderWatch leaders(cluster, name, replicas);
  std::map<std::string, std::string> uids;
  for (int i = 0; i < replicas; ++i) {
    const auto pod = name + "-" + std::to_string(i);
    uids[pod] = cluster.pod(pod)->at("metadata").value("uid", "");
  }
  // A spec change that changes the pod template.
  cluster.patch_etcd(name,
                     {{"spec", {{"etcd", {{"resources", {{"requests", {{"cpu", "60m"}}}}}}}}}});
  if (!kube::test::eventually(
          [&] {
            const auto r = update_revision(cluster, name);
            return !r.empty() && r != old_revision;
          },
          60s)) {
    ADD_FAILURE() << "the spec change made no new revision";
    return figures;
  }
  const auto new_revision = update_revision(cluster, name);
  figures.completed = kube::test::eventually(
      [&] {
        for (auto& [pod, uid] : uids) {
          const auto p = cluster.pod(pod);
          const auto now = p ? p->at("metadata").value("uid", "") : "";
          if (now != uid && !uid.empty()) {
            figures.deletion_order.push_back(pod);
            uid.clear();  // seen replaced
          }
        }
        return all_pods_at(cluster, name, replicas, new_revision);
      },
      360s, 100ms);
  writer.stop();
  leaders.stop();
  for (const auto pid : stopped) ::kill(pid, SIGCONT);  // if a frozen process survived
  figures.writes = writer.figures();
  figures.leader_changes = leaders.changes();
  if (figures.completed) {
    // Every acknowledged write is still there.
    auto client = cluster.cluster_client(name, replicas, 5s);
    const auto all = client->range("w", std::string("x"));
    if (all) {
      std::set<std::string> present;
      for (const auto& kv : all->kvs) present.insert(kv.key);
      for (const auto& key : figures.writes.written) {
        if (!present.count(key)) figures.missing_keys.push_back(key);
      }
    } else {
      ADD_FAILURE() << "cannot read back the keys: " << all.error().message;
    }
  } else {
    ADD_FAILURE() << "the rollout did not finish\n" << cluster.operator_log().substr(0, 20000);
  }
  return figures;
}

std::string describe(const RolloutFigures& f) {
  std::ostringstream out;
  out << "writes=" << f.writes.writes << " failed=" << f.writes.failed
      << " retried_on_next_member=" << f.writes.retried << " resent=" << f.writes.resent
      << " slow(>1s)=" << f.writes.slow << " longest_gap_ms=" << f.writes.longest_gap.count()
      << " leader_changes=" << f.leader_changes << " order=";
  for (const auto& pod : f.deletion_order) out << pod << ' ';
  out << "missing_keys=" << f.missing_keys.size();
  for (const auto& [message, count] : f.writes.errors)
    out << " [" << count << "x " << message << "]";
  return out.str();
}

class QuorumAwareUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto reason = real_members_unavailable();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }
};

// Both strategies side by side on the same scenario; the figures go to
// docs/benchmarks.md.
TEST_F(QuorumAwareUpdateTest, FrozenMemberRolloutLosesQuorumOnlyWithoutTheGate) {
  const auto rolling = roll(/*quorum_aware=*/false, 3, 1, "rolling");
  std::printf("[figures] gate off (RollingUpdate): %s\n", describe(rolling).c_str());
  const auto aware = roll(/*quorum_aware=*/true, 3, 1, "aware");
  std::printf("[figures] gate on (OnDelete, quorum-aware): %s\n", describe(aware).c_str());

  EXPECT_TRUE(rolling.completed);
  EXPECT_GT(rolling.writes.failed + rolling.writes.slow, 0)
      << "RollingUpdate was expected to lose quorum with a frozen member";

  ASSERT_TRUE(aware.completed);
  ASSERT_FALSE(aware.deletion_order.empty());
  EXPECT_EQ(aware.deletion_order.front(), "aware-0") << "the frozen member goes first";
  EXPECT_EQ(aware.deletion_order.back(), aware.initial_leader) << "the leader goes last";
  EXPECT_EQ(aware.writes.failed, 0) << describe(aware);
  EXPECT_TRUE(aware.missing_keys.empty());
}

TEST_F(QuorumAwareUpdateTest, HealthyRolloutChangesLeaderOnceByTransfer) {
  const auto f = roll(/*quorum_aware=*/true, 3, 0, "healthy");
  std::printf("[figures] gate on, all healthy: %s\n", describe(f).c_str());
  ASSERT_TRUE(f.completed);
  ASSERT_EQ(f.deletion_order.size(), 3u) << describe(f);
  EXPECT_EQ(f.deletion_order.back(), f.initial_leader) << "the leader goes last";
  EXPECT_EQ(f.leader_changes, 1) << describe(f);
  EXPECT_EQ(f.writes.failed, 0) << describe(f);
  EXPECT_TRUE(f.missing_keys.empty());
}

TEST_F(QuorumAwareUpdateTest, SingleMemberUpdates) {
  const auto f = roll(/*quorum_aware=*/true, 1, 0, "solo");
  ASSERT_TRUE(f.completed) << describe(f);
  EXPECT_TRUE(f.missing_keys.empty());
}

TEST_F(QuorumAwareUpdateTest, FiveMembersWithTwoDownRollWithoutQuorumLoss) {
  const auto f = roll(/*quorum_aware=*/true, 5, 2, "five");
  std::printf("[figures] gate on, 5 members, 2 frozen: %s\n", describe(f).c_str());
  ASSERT_TRUE(f.completed);
  ASSERT_EQ(f.deletion_order.size(), 5u) << describe(f);
  EXPECT_EQ(std::set<std::string>(f.deletion_order.begin(), f.deletion_order.begin() + 2),
            (std::set<std::string>{"five-0", "five-1"}))
      << "the frozen members go first";
  EXPECT_EQ(f.deletion_order.back(), f.initial_leader) << "the leader goes last";
  EXPECT_EQ(f.writes.failed, 0) << describe(f);
  EXPECT_TRUE(f.missing_keys.empty());
}

}  // namespace
}  // namespace druid::e2e
