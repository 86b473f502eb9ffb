#pragma once
// The local pod runtime: watches StatefulSets managed by etcd-druid and their
// pods, plays the StatefulSet controller (optional) and the kubelet (one
// PodWorker per pod), keeps the hosts files current, and owns the host-side
// network (bridge, API server forwarder). See test/localenv/README.md.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kube/client.hpp"
#include "kube/informer.hpp"
#include "localenv/pod_runtime/pod_network.hpp"
#include "localenv/pod_runtime/pod_worker.hpp"
#include "localenv/pod_runtime/runtime_options.hpp"
#include "localenv/pod_runtime/tcp_forwarder.hpp"

namespace druid::localenv {

inline constexpr const char* kManagedBySelector = "app.kubernetes.io/managed-by=etcd-druid";

class Runtime final : public PodHost {
 public:
  Runtime(RuntimeOptions options, kube::RestConfig config, Ipv4Cidr cidr);
  ~Runtime() override;

  // Runs until `stop` becomes true; returns the exit code.
  int run(const std::atomic<bool>& stop);

  // PodHost
  kube::Client& client() override { return client_; }
  PodNetwork& network() override { return network_; }
  const RuntimeOptions& options() const override { return options_; }
  std::optional<nlohmann::json> lookup(const std::string& ns, const std::string& kind,
                                       const std::string& name) override;
  void refresh_hosts() override;
  void record_pod_network(const std::string& key, const PodInterface* iface) override;
  std::filesystem::path pod_kubeconfig() const override;
  void say(const std::string& line) override;

 private:
  void wake();
  void sync_statefulsets();
  void sync_pods();
  void collect_orphaned_pods(const std::vector<kube::ObjectPtr>& candidates);
  void write_state_file();
  bool write_pod_kubeconfig(int forwarder_port);

  RuntimeOptions options_;
  kube::RestConfig rest_config_;
  kube::Client client_;
  PodNetwork network_;
  TcpForwarder forwarder_;
  std::unique_ptr<kube::Informer> statefulsets_, pods_, services_, claims_;

  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  bool woken_ = false;

  std::mutex workers_mutex_;  // workers_ (the main loop writes, refresh_hosts reads)
  std::map<std::string, std::unique_ptr<PodWorker>> workers_;

  std::mutex hosts_mutex_;  // serialises hosts writes
  std::map<std::string, std::string> written_hosts_;

  std::mutex state_mutex_;
  std::map<std::string, PodInterface> pod_networks_;

  std::mutex say_mutex_;
};

// Removes everything a previous instance with `prefix` left (processes in its
// namespaces, namespaces, interfaces, the state file's pid files). Returns a
// description of each removed thing.
std::vector<std::string> cleanup_leftovers(const std::string& prefix,
                                           const std::filesystem::path& state_dir);

}  // namespace druid::localenv
