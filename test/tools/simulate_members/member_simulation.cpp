#include "tools/simulate_members/member_simulation.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "api/labels.hpp"
#include "api/resources.hpp"
#include "kube/resource.hpp"

namespace druid::test {
namespace {
constexpr std::chrono::seconds kFirstListWait{30};
}  // namespace

MemberSimulation::MemberSimulation(kube::Client& client, MemberSimulationOptions options)
    : client_(client), options_(std::move(options)) {
  caches_.etcds = &add_informer(api::resources::kEtcds, false).cache();
  caches_.statefulsets = &add_informer(kube::resources::kStatefulSets, true).cache();
  caches_.pods = &add_informer(kube::resources::kPods, true).cache();
  caches_.leases = &add_informer(kube::resources::kLeases, true).cache();
  // Only the compaction Job is played; the copy-backups task's Jobs key to no
  // Etcd and are passed over.
  jobs_ = &add_informer(kube::resources::kJobs, true).cache();
}

MemberSimulation::~MemberSimulation() {
  request_stop();
}

kube::Informer& MemberSimulation::add_informer(const util::ResourceType& type, bool managed_only) {
  kube::InformerOptions options;
  options.type = type;
  options.ns = options_.ns;
  // Druid labels everything it makes, and the pods inherit the label from the
  // StatefulSet's template: nothing else of the cluster is cached.
  if (managed_only) options.label_selector = api::managed_by_selector();
  auto& informer = *informers_.emplace_back(std::make_unique<kube::Informer>(client_, options));
  const bool is_etcd = type.resource == api::resources::kEtcds.resource;
  const bool is_lease = type.resource == kube::resources::kLeases.resource;
  kube::EventHandlers handlers;
  handlers.on_add = [this, is_etcd](const kube::ObjectPtr& object) {
    changed(etcd_key(object, is_etcd));
  };
  handlers.on_delete = handlers.on_add;
  // A lease matters when it appears or goes; its updates are the renewals
  // written here, and reacting to them would cost a sync per renewal.
  if (!is_lease) {
    handlers.on_update = [this, is_etcd](const kube::ObjectPtr&, const kube::ObjectPtr& object) {
      changed(etcd_key(object, is_etcd));
    };
  }
  informer.add_handlers(std::move(handlers));
  return informer;
}

std::string MemberSimulation::etcd_key(const kube::ObjectPtr& object, bool is_etcd) const {
  const auto& meta = object->value("metadata", nlohmann::json::object());
  const std::string ns = meta.value("namespace", "");
  if (is_etcd) return ns + "/" + meta.value("name", "");
  const auto& labels = meta.value("labels", nlohmann::json::object());
  const auto part_of = labels.find(api::kPartOfLabelKey);
  if (part_of == labels.end() || !part_of->is_string()) return {};
  return ns + "/" + part_of->get<std::string>();
}

void MemberSimulation::changed(const std::string& key) {
  if (key.empty()) return;
  {
    std::lock_guard lock(mutex_);
    changed_.insert(key);
  }
  cv_.notify_one();
}

void MemberSimulation::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_one();
  // Also ends run()'s wait for the first lists.
  for (auto& informer : informers_) informer->stop();
}

bool MemberSimulation::stop_requested() const {
  std::lock_guard lock(mutex_);
  return stop_;
}

std::uint64_t MemberSimulation::syncs() const {
  std::lock_guard lock(mutex_);
  return syncs_;
}

std::optional<ClusterSimulator::TimePoint> MemberSimulation::due_at(const Simulated& simulated) {
  if (!simulated.ok) return simulated.retry_at;
  auto at = simulated.simulator->next_renewal();
  const auto snapshot = simulated.snapshots->next_due();
  if (snapshot && (!at || *snapshot < *at)) at = snapshot;
  return at;
}

std::optional<ClusterSimulator::TimePoint> MemberSimulation::next_wake() const {
  std::optional<ClusterSimulator::TimePoint> next;
  for (const auto& [key, simulated] : simulated_) {
    const auto at = due_at(simulated);
    if (at && (!next || *at < *next)) next = at;
  }
  return next;
}

void MemberSimulation::run() {
  if (stop_requested()) return;
  for (auto& informer : informers_) informer->start();
  // Syncing an Etcd before the other caches hold their first list would only
  // report its objects as missing. A server that does not answer in time is
  // waited for by the informers themselves, and their adds trigger the syncs.
  for (auto& informer : informers_) {
    if (!informer->wait_for_sync(kFirstListWait) && !stop_requested()) {
      spdlog::warn("no list of {} yet; simulating as objects arrive",
                   informer->options().type.resource);
    }
  }
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const auto wake = next_wake();
    const auto woken = [this] { return stop_ || !changed_.empty(); };
    if (wake) {
      cv_.wait_until(lock, *wake, woken);
    } else {
      cv_.wait(lock, woken);
    }
    if (stop_) break;
    std::set<std::string> keys = std::exchange(changed_, {});
    lock.unlock();
    // Simulators whose leases, snapshots or retry fell due sync too.
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [key, simulated] : simulated_) {
      const auto at = due_at(simulated);
      if (at && *at <= now) keys.insert(key);
    }
    sync(keys);
    lock.lock();
  }
  lock.unlock();
  for (auto& informer : informers_) informer->stop();
}

void MemberSimulation::sync(const std::set<std::string>& keys) {
  for (const auto& key : keys) {
    const auto slash = key.find('/');
    const std::string ns = key.substr(0, slash);
    const std::string name = key.substr(slash + 1);
    auto found = simulated_.find(key);
    if (!caches_.etcds->get(ns, name)) {
      if (found != simulated_.end()) {
        spdlog::info("Etcd {} is gone; no longer simulating its members", key);
        simulated_.erase(found);
      }
      continue;
    }
    if (found == simulated_.end()) {
      spdlog::info("simulating the members of Etcd {}", key);
      ClusterSimulatorOptions options;
      options.renew_interval = options_.heartbeat;
      // Every call follows an event that must not be skipped.
      options.min_sync_interval = std::chrono::milliseconds(0);
      options.caches = caches_;
      found = simulated_.try_emplace(key).first;
      found->second.simulator =
          std::make_unique<ClusterSimulator>(client_, name, ns, std::move(options));
      // The snapshot leases are the SnapshotSidecar's (the simulator would
      // move both together, so delta − full never grew).
      found->second.simulator->leave_snapshot_leases_to_others();
      found->second.snapshots = std::make_unique<SnapshotSidecar>(
          client_, name, ns, options_.snapshots,
          SnapshotSidecarCaches{caches_.etcds, caches_.leases, jobs_});
    }
    auto& simulated = found->second;
    const bool members_ok = simulated.simulator->sync();
    // The sidecar runs in a member pod: it starts once the members are in
    // place, after the simulator's one write of the snapshot leases.
    const bool snapshots_ok =
        members_ok || simulated.snapshots->running() ? simulated.snapshots->sync() : true;
    simulated.ok = members_ok && snapshots_ok;
    {
      std::lock_guard lock(mutex_);
      ++syncs_;
    }
    if (simulated.ok) {
      if (!simulated.last_error.empty()) spdlog::info("Etcd {}: simulation caught up", key);
      simulated.last_error.clear();
      continue;
    }
    // Until druid has made the StatefulSet and leases this is expected, so
    // it is said once per distinct reason.
    simulated.retry_at = std::chrono::steady_clock::now() + options_.retry_interval;
    const std::string& error =
        members_ok ? simulated.snapshots->last_error() : simulated.simulator->last_error();
    if (error != simulated.last_error) spdlog::info("Etcd {}: waiting: {}", key, error);
    simulated.last_error = error;
  }
}

}  // namespace druid::test
