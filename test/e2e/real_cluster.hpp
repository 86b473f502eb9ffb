#pragma once
// A real etcd cluster environment on one machine, as the e2e tier uses it:
// the test API server (in-process, HTTPS on loopback) with the CRDs, the
// etcd-druid binary, and druid-pod-runtime, which plays the StatefulSet
// controller and kubelet and runs every pod's members as real etcd processes
// (druid-member-agent start-etcd / server) in network namespaces of their own.
//
// The operator runs in a private mount namespace where the runtime's hosts
// file is bind-mounted on /etc/hosts, so it reaches members by their peer
// FQDNs as it would in a cluster (the quorum-aware update's leader transfer).

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api/resources.hpp"
#include "etcd/client.hpp"
#include "operator/child_process.hpp"
#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::e2e {

using nlohmann::json;
using operator_::test::ChildProcess;
using operator_::test::TempDir;

inline constexpr const char* kNamespace = "e2e";

// Why real members cannot run here ("" when they can): they need root (network
// and mount namespaces), `ip`, `unshare`, etcd and kubectl.
inline std::string real_members_unavailable() {
  if (::geteuid() != 0) return "real etcd members need root (network namespaces)";
  for (const char* tool : {"/usr/bin/etcd", "/usr/bin/etcdctl", "/usr/bin/unshare"}) {
    if (!std::filesystem::exists(tool)) return std::string(tool) + " is not installed";
  }
  if (std::system("command -v ip >/dev/null 2>&1") != 0) return "ip (iproute2) is not installed";
  const std::string probe = "druid-e2e-probe-" + std::to_string(::getpid());
  if (std::system(("ip netns add " + probe + " >/dev/null 2>&1").c_str()) != 0) {
    return "cannot create network namespaces (ip netns add failed)";
  }
  std::system(("ip netns delete " + probe + " >/dev/null 2>&1").c_str());
  return {};
}

struct RealClusterOptions {
  std::map<std::string, bool> feature_gates;
  std::chrono::milliseconds pod_start_delay{0};
  bool auto_reconcile = true;
};

class RealCluster {
 public:
  explicit RealCluster(RealClusterOptions options = {}) : options_(std::move(options)) {
    live_.server().install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd");
    const auto error = kube::test::create_namespace(live_.client(), kNamespace);
    if (!error.empty()) throw std::runtime_error(error);
    kubeconfig_ = dir_.path() / "kubeconfig";
    live_.server().write_kubeconfig(kubeconfig_);
    start_runtime();
    start_operator();
  }

  ~RealCluster() {
    stop_operator();
    if (runtime_) {
      runtime_->signal(SIGTERM);
      runtime_->wait(std::chrono::seconds(60));
    }
  }
  RealCluster(const RealCluster&) = delete;
  RealCluster& operator=(const RealCluster&) = delete;

  kube::Client& client() { return live_.client(); }
  druid::testing::TestApiServer& server() { return live_.server(); }
  const std::filesystem::path& kubeconfig() const { return kubeconfig_; }
  const std::filesystem::path& state_dir() const { return dir_.path(); }
  const std::string& name_prefix() const { return prefix_; }

  // The operator binary, started again after stop_operator() (a restart).
  void start_operator() {
    const int metrics_port = operator_::test::free_port();
    probe_port_ = operator_::test::free_port();
    std::string gates;
    for (const auto& [gate, on] : options_.feature_gates) {
      gates += "  " + gate + ": " + (on ? "true" : "false") + "\n";
    }
    const auto config = dir_.write("operator-config.yaml",
                                   std::string(R"(apiVersion: config.druid.gardener.cloud/v1alpha1
kind: OperatorConfiguration
server:
  metrics:
    bindAddress: 127.0.0.1
    port: )") + std::to_string(metrics_port) +
                                       R"(
controllers:
  etcd:
    enableEtcdSpecAutoReconcile: )" + (options_.auto_reconcile ? "true" : "false") +
                                       R"(
    etcdStatusSyncPeriod: 2s
logging:
  logLevel: info
  logFormat: json
)" + (gates.empty() ? "" : "featureGates:\n" + gates));
    metrics_url_ = "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics";
    const std::string command = "mount --bind '" + hosts_file().string() +
                                "' /etc/hosts && exec '" + ETCD_DRUID_BIN + "' --config '" +
                                config.string() + "' --kubeconfig '" + kubeconfig_.string() +
                                "' --health-probe-port " + std::to_string(probe_port_);
    operator_ = std::make_unique<ChildProcess>("/usr/bin/unshare",
                                               std::vector<std::string>{"-m", "sh", "-c", command},
                                               std::map<std::string, std::string>{}, dir_.path());
  }
  void stop_operator() {
    if (!operator_) return;
    operator_->signal(SIGTERM);
    operator_->wait(std::chrono::seconds(20));
    operator_log_ += operator_->stdout_text() + operator_->stderr_text();
    operator_.reset();
  }
  void kill_operator() {
    if (!operator_) return;
    operator_->signal(SIGKILL);
    operator_->wait(std::chrono::seconds(20));
    operator_log_ += operator_->stdout_text() + operator_->stderr_text();
    operator_.reset();
  }
  std::string operator_log() const {
    return operator_log_ + (operator_ ? operator_->stdout_text() + operator_->stderr_text() : "");
  }
  std::string runtime_log() const {
    return runtime_ ? runtime_->stdout_text() + runtime_->stderr_text() : "";
  }
  const std::string& metrics_url() const { return metrics_url_; }

  std::filesystem::path hosts_file() const { return dir_.path() / "hosts"; }

  // --- objects ---------------------------------------------------------------
  std::optional<json> get(const std::string& resource, const std::string& name) const {
    return live_.server().get(resource, kNamespace, name);
  }
  json etcd(const std::string& name) const {
    return get("etcds.druid.gardener.cloud", name).value_or(json());
  }
  void create_etcd(const json& etcd) {
    auto created = client().create(api::resources::kEtcds, kNamespace, etcd);
    if (!created) throw std::runtime_error(created.error().what());
  }
  void patch_etcd(const std::string& name, const json& patch) {
    auto patched =
        client().patch(api::resources::kEtcds, kNamespace, name, kube::PatchType::kMerge, patch);
    if (!patched) throw std::runtime_error(patched.error().what());
  }

  // The Etcd reports Ready with `replicas` ready members and every member
  // condition True.
  bool wait_ready(const std::string& name, int replicas,
                  std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
    return kube::test::eventually(
        [&] {
          const auto status = etcd(name).value("status", json::object());
          if (!status.value("ready", false)) return false;
          if (status.value("readyReplicas", -1) != replicas) return false;
          for (const auto& condition : status.value("conditions", json::array())) {
            const auto type = condition.value("type", "");
            if ((type == "Ready" || type == "AllMembersReady") &&
                condition.value("status", "") != "True") {
              return false;
            }
          }
          return true;
        },
        timeout, std::chrono::milliseconds(200));
  }

  std::optional<json> pod(const std::string& name) const { return get("pods", name); }
  std::string pod_ip(const std::string& name) const {
    const auto p = pod(name);
    if (!p) return {};
    return p->value("status", json::object()).value("podIP", "");
  }
  bool pod_ready(const std::string& name) const {
    const auto p = pod(name);
    if (!p) return false;
    for (const auto& c : p->value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
    }
    return false;
  }

  // A client of one member, by its pod IP (the test runs on the host).
  std::unique_ptr<etcd::Client> member_client(
      const std::string& pod_name,
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    etcd::ClientOptions options;
    options.endpoints = {"http://" + pod_ip(pod_name) + ":2379"};
    options.timeout = timeout;
    return std::make_unique<etcd::Client>(options);
  }
  // A client of every member, as an application with all endpoints configured.
  std::unique_ptr<etcd::Client> cluster_client(const std::string& etcd_name, int replicas,
                                               std::chrono::milliseconds timeout) const {
    etcd::ClientOptions options;
    for (int i = 0; i < replicas; ++i) {
      options.endpoints.push_back("http://" + pod_ip(etcd_name + "-" + std::to_string(i)) +
                                  ":2379");
    }
    options.timeout = timeout;
    return std::make_unique<etcd::Client>(options);
  }

  // The main process of a pod's container (from the runtime's pid file).
  std::optional<pid_t> container_pid(const std::string& pod_name,
                                     const std::string& container) const {
    std::ifstream in(dir_.path() / "pods" / kNamespace / pod_name / (container + ".pid"));
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    return std::nullopt;
  }

  // The address the client Service of `etcd_name` resolves to right now, as
  // the runtime's hosts file says (one ready member, "" while none is ready).
  std::string client_service_ip(const std::string& etcd_name) const {
    std::ifstream hosts(hosts_file());
    const std::string wanted = etcd_name + "-client." + kNamespace + ".svc";
    std::string line;
    while (std::getline(hosts, line)) {
      std::istringstream words(line);
      std::string ip, name;
      words >> ip;
      while (words >> name) {
        if (name == wanted) return ip;
      }
    }
    return {};
  }

  // The etcd process of a pod: the child of its etcd container's wrapper.
  std::optional<pid_t> etcd_pid(const std::string& pod_name) const {
    const auto wrapper = container_pid(pod_name, "etcd");
    if (!wrapper) return std::nullopt;
    std::ifstream children("/proc/" + std::to_string(*wrapper) + "/task/" +
                           std::to_string(*wrapper) + "/children");
    pid_t child = 0;
    while (children >> child) {
      std::ifstream comm("/proc/" + std::to_string(child) + "/comm");
      std::string name;
      comm >> name;
      if (name == "etcd") return child;
    }
    return std::nullopt;
  }

 private:
  void start_runtime() {
    // Several environments may run one after another (or beside `make run`):
    // each gets its own bridge, namespaces and subnet.
    const int instance = static_cast<int>(::getpid() % 200) + 20;
    prefix_ = "e2e" + std::to_string(instance);
    std::ofstream(hosts_file()) << "127.0.0.1 localhost\n";
    runtime_ = std::make_unique<ChildProcess>(
        POD_RUNTIME_BIN,
        std::vector<std::string>{
            "--kubeconfig", kubeconfig_.string(), "--state-dir", dir_.path().string(),
            "--name-prefix", prefix_, "--pod-cidr", "10.213." + std::to_string(instance) + ".0/24",
            "--member-agent", MEMBER_AGENT_BIN, "--hosts-out", hosts_file().string(),
            "--probe-initial-delay-cap", "0s", "--termination-grace-cap", "10s",
            "--pod-start-delay", std::to_string(options_.pod_start_delay.count()) + "ms"},
        std::map<std::string, std::string>{}, dir_.path());
  }

  RealClusterOptions options_;
  TempDir dir_;
  // Reading the server's store does not change the environment: const readers.
  mutable kube::test::LiveServer live_;
  std::filesystem::path kubeconfig_;
  std::string prefix_;
  std::unique_ptr<ChildProcess> runtime_;
  std::unique_ptr<ChildProcess> operator_;
  std::string operator_log_;
  std::string metrics_url_;
  int probe_port_ = 0;
};

// An Etcd of `replicas` members, heartbeats every 2 s so leases show changes
// quickly, optionally with a Local backup store.
inline json etcd_manifest(const std::string& name, int replicas, bool local_backup = false) {
  json etcd = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
               {"kind", "Etcd"},
               {"metadata", {{"name", name}, {"namespace", kNamespace}}},
               {"spec",
                {{"replicas", replicas},
                 {"labels", {{"app", name}}},
                 {"etcd",
                  {{"clientPort", 2379},
                   {"serverPort", 2380},
                   {"heartbeatDuration", "2s"},
                   {"enableGRPCGateway", true}}},
                 {"backup", {{"port", 8080}}},
                 {"storageCapacity", "1Gi"}}}};
  if (local_backup) {
    etcd["spec"]["backup"]["store"] = {
        {"provider", "Local"}, {"container", name + "-bucket"}, {"prefix", name}};
    etcd["spec"]["backup"]["deltaSnapshotPeriod"] = "2s";
  }
  return etcd;
}

}  // namespace druid::e2e
