#pragma once
// The loop of druid-simulate-members: one ClusterSimulator per Etcd, and for
// an Etcd with a backup store a SnapshotSidecar (snapshot leases and the
// compaction Job), driven by informers instead of polling. An Etcd's simulator
// syncs when an event concerns the Etcd or one of its StatefulSet, pods,
// leases and Jobs (matched by druid's part-of label), when a lease or a
// snapshot falls due, and again after a sync that could not write everything.
// It reads from the informers' caches, so in a steady state the server sees
// only the lease renewals (with a backup store: and the snapshots).
//
// The simulators are used by the thread in run() alone; informer handlers
// only record which Etcds changed and wake it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kube/cache.hpp"
#include "kube/client.hpp"
#include "kube/informer.hpp"
#include "support/cluster_simulator.hpp"
#include "tools/simulate_members/snapshot_sidecar.hpp"

namespace druid::test {

struct MemberSimulationOptions {
  std::string ns;  // "" = Etcds of all namespaces
  // How often each member's backup-restore sidecar renews its lease (its
  // --k8s-heartbeat-duration, 10 s by default).
  std::chrono::milliseconds heartbeat{std::chrono::seconds(10)};
  // The wait before a sync that could not write everything is repeated; the
  // objects it lacked usually arrive as events sooner.
  std::chrono::milliseconds retry_interval{std::chrono::seconds(1)};
  // Delta snapshots and compaction Jobs of Etcds with a backup store.
  SnapshotSidecarOptions snapshots;
};

class MemberSimulation {
 public:
  MemberSimulation(kube::Client& client, MemberSimulationOptions options = {});
  ~MemberSimulation();
  MemberSimulation(const MemberSimulation&) = delete;
  MemberSimulation& operator=(const MemberSimulation&) = delete;

  // Starts the informers and simulates until request_stop(); then stops them.
  void run();
  // Thread-safe; returns once the informers have stopped.
  void request_stop();

  // Syncs of simulators done so far (any result).
  std::uint64_t syncs() const;

 private:
  struct Simulated {
    std::unique_ptr<ClusterSimulator> simulator;
    std::unique_ptr<SnapshotSidecar> snapshots;
    bool ok = false;
    ClusterSimulator::TimePoint retry_at;
    std::string last_error;
  };

  kube::Informer& add_informer(const util::ResourceType& type, bool managed_only);
  // "namespace/etcd" for an Etcd or an object druid made for one.
  std::string etcd_key(const kube::ObjectPtr& object, bool is_etcd) const;
  void changed(const std::string& key);
  bool stop_requested() const;
  // When this Etcd's simulation must next sync without an event.
  static std::optional<ClusterSimulator::TimePoint> due_at(const Simulated& simulated);
  // When the loop must next sync without an event; nullopt: only on events.
  std::optional<ClusterSimulator::TimePoint> next_wake() const;
  void sync(const std::set<std::string>& keys);

  kube::Client& client_;
  MemberSimulationOptions options_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  ClusterSimulatorCaches caches_;
  const kube::Cache* jobs_ = nullptr;

  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable cv_;
  std::set<std::string> changed_;  // Etcd keys with events since their last sync
  bool stop_ = false;
  std::uint64_t syncs_ = 0;

  std::map<std::string, Simulated> simulated_;  // the run() thread only
};

}  // namespace druid::test
