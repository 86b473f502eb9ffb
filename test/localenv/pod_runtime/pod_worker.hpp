#pragma once
// The kubelet's part for one pod: a thread that sets up the pod's network and
// volumes, runs its init containers to completion and then its containers,
// restarts crashed ones with back-off, runs readiness probes, reports the pod
// status, and on stop terminates the processes and removes the namespace.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "kube/client.hpp"
#include "localenv/pod_runtime/pod_network.hpp"
#include "localenv/pod_runtime/runtime_options.hpp"

namespace druid::localenv {

// What a pod worker needs from the runtime.
class PodHost {
 public:
  virtual ~PodHost() = default;
  virtual kube::Client& client() = 0;
  virtual PodNetwork& network() = 0;
  virtual const RuntimeOptions& options() const = 0;
  // ConfigMap/Secret of `ns`, nullopt when missing.
  virtual std::optional<nlohmann::json> lookup(const std::string& ns, const std::string& kind,
                                               const std::string& name) = 0;
  // Rewrites every hosts file now (a pod's IP or readiness changed).
  virtual void refresh_hosts() = 0;
  virtual void record_pod_network(const std::string& key, const PodInterface* iface) = 0;
  virtual std::filesystem::path pod_kubeconfig() const = 0;
  virtual void say(const std::string& line) = 0;
};

class PodWorker {
 public:
  PodWorker(PodHost& host, nlohmann::json pod);
  ~PodWorker();
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  // Asks the worker to stop its containers and tear down (asynchronously);
  // `finish_deletion` also deletes the pod object (it had a deletionTimestamp).
  void request_stop(bool finish_deletion);
  bool finished() const { return finished_.load(); }
  bool stopping() const { return stop_.load(); }
  const std::string& uid() const { return uid_; }
  const std::string& ns() const { return ns_; }
  const std::string& name() const { return name_; }
  std::string ip() const;
  bool ready() const { return ready_.load(); }
  std::filesystem::path hosts_file() const;
  const nlohmann::json& pod() const { return pod_; }

 private:
  void run();
  bool sleep_for(std::chrono::milliseconds delay);  // false when stopping

  PodHost& host_;
  const nlohmann::json pod_;
  const std::string ns_, name_, uid_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finish_deletion_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> ready_{false};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::string ip_;
  std::thread thread_;
};

}  // namespace druid::localenv
