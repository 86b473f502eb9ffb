#pragma once
// Real etcd members (/usr/bin/etcd) on loopback for tests: free ports, data in
// a temporary directory, started as child processes, waited for until they
// answer, stopped on destruction (SIGTERM, then SIGKILL after a grace period).
//
//   druid::test::EtcdCluster cluster(3);          // started and answering
//   etcd::Client client(cluster.client_options());
//
// Members can also be planned first and started later, which is how a test
// adds a member: plan it (ports, peer URL), MemberAdd its peer URL, then start
// it with initial-cluster-state `existing`.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "etcd/client.hpp"
#include "operator/child_process.hpp"

namespace druid::test {

// Client TLS of the members (peers stay plain HTTP): PEM files etcd reads.
struct EtcdTlsFiles {
  std::filesystem::path ca_file, cert_file, key_file;
};

struct EtcdClusterOptions {
  std::string etcd_bin = "/usr/bin/etcd";
  std::optional<EtcdTlsFiles> client_tls;          // https client URLs with client-cert auth
  std::chrono::milliseconds start_timeout{60000};  // until every member answers with a leader
  std::chrono::milliseconds stop_grace{10000};     // SIGTERM to SIGKILL
};

struct EtcdMember {
  std::string name;
  int client_port = 0, peer_port = 0;
  std::string client_url, peer_url;
  std::filesystem::path data_dir;
  std::unique_ptr<operator_::test::ChildProcess> process;  // null until started / after stop

  bool running() const { return process != nullptr; }
};

// Unused loopback ports, distinct from each other and from `taken`.
inline std::vector<int> free_ports(std::size_t count, std::set<int>& taken) {
  std::vector<int> ports;
  for (int attempt = 0; ports.size() < count && attempt < 1000; ++attempt) {
    const int port = operator_::test::free_port();
    if (port > 0 && taken.insert(port).second) ports.push_back(port);
  }
  if (ports.size() < count) throw std::runtime_error("no free loopback ports");
  return ports;
}

inline std::string read_file_text(const std::filesystem::path& path) {
  return operator_::test::read_text(path);
}

class EtcdCluster {
 public:
  // Starts `size` members (0 = none yet) and waits until all answer.
  explicit EtcdCluster(std::size_t size, EtcdClusterOptions options = {})
      : options_(std::move(options)) {
    for (std::size_t i = 0; i < size; ++i) plan_member();
    const std::string initial_cluster = initial_cluster_of(all_indices());
    for (std::size_t i = 0; i < size; ++i) start(i, initial_cluster, "new");
    if (size > 0 && !wait_ready(options_.start_timeout)) {
      throw std::runtime_error("etcd cluster did not become ready:\n" + logs());
    }
  }

  ~EtcdCluster() {
    for (std::size_t i = 0; i < members_.size(); ++i) stop_member(i);
  }
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  std::size_t size() const { return members_.size(); }
  EtcdMember& member(std::size_t index) { return members_.at(index); }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string scheme() const { return options_.client_tls ? "https" : "http"; }

  // A new member with ports and directories but no process (yet); its index.
  std::size_t plan_member(std::string name = {}) {
    const auto ports = free_ports(2, taken_ports_);
    EtcdMember member;
    member.name = name.empty() ? "m" + std::to_string(members_.size()) : std::move(name);
    member.client_port = ports[0];
    member.peer_port = ports[1];
    member.client_url = scheme() + "://127.0.0.1:" + std::to_string(member.client_port);
    member.peer_url = "http://127.0.0.1:" + std::to_string(member.peer_port);
    member.data_dir = dir_.path() / (member.name + ".etcd");
    members_.push_back(std::move(member));
    return members_.size() - 1;
  }

  // Starts a planned member joining the running members (after a MemberAdd of
  // its peer URL); returns once the process was started (not yet answering).
  void start_joining(std::size_t index) {
    std::vector<std::size_t> cluster;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].running() || i == index) cluster.push_back(i);
    }
    start(index, initial_cluster_of(cluster), "existing");
  }

  // SIGTERM, wait up to the grace period, then SIGKILL.
  void stop_member(std::size_t index) {
    auto& member = members_.at(index);
    if (!member.process) return;
    member.process->signal(SIGTERM);
    if (!member.process->wait(options_.stop_grace)) member.process->signal(SIGKILL);
    member.process->wait(options_.stop_grace);
    member.process.reset();
  }

  // Client URLs of the running members, in order.
  std::vector<std::string> client_urls() const {
    std::vector<std::string> urls;
    for (const auto& member : members_) {
      if (member.running()) urls.push_back(member.client_url);
    }
    return urls;
  }

  // Options of a client of the given endpoints (default: every running member),
  // with the cluster's client TLS.
  etcd::ClientOptions client_options(std::vector<std::string> endpoints = {}) const {
    etcd::ClientOptions options;
    options.endpoints = endpoints.empty() ? client_urls() : std::move(endpoints);
    options.timeout = std::chrono::seconds(5);
    if (options_.client_tls) {
      options.tls.ca_pem = read_file_text(options_.client_tls->ca_file);
      options.tls.client_cert_pem = read_file_text(options_.client_tls->cert_file);
      options.tls.client_key_pem = read_file_text(options_.client_tls->key_file);
    }
    return options;
  }
  etcd::ClientOptions member_client_options(std::size_t index) const {
    return client_options({members_.at(index).client_url});
  }

  // Polls every running member until each reports a leader.
  bool wait_ready(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (!members_[i].running()) continue;
      auto options = member_client_options(i);
      options.timeout = std::chrono::seconds(2);
      etcd::Client client(options);
      while (true) {
        auto status = client.status();
        if (status && status->leader != 0) break;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    return true;
  }

  // The stdout/stderr of every member that runs (for failure messages).
  std::string logs() const {
    std::string text;
    for (const auto& member : members_) {
      if (!member.process) continue;
      text += "--- " + member.name + " ---\n" + member.process->stdout_text() +
              member.process->stderr_text();
    }
    return text;
  }

 private:
  std::vector<std::size_t> all_indices() const {
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < members_.size(); ++i) indices.push_back(i);
    return indices;
  }

  std::string initial_cluster_of(const std::vector<std::size_t>& indices) const {
    std::string text;
    for (const auto i : indices) {
      if (!text.empty()) text += ",";
      text += members_[i].name + "=" + members_[i].peer_url;
    }
    return text;
  }

  void start(std::size_t index, const std::string& initial_cluster, const std::string& state) {
    auto& member = members_.at(index);
    std::vector<std::string> args = {
        "--name=" + member.name,
        "--data-dir=" + member.data_dir.string(),
        "--listen-client-urls=" + member.client_url,
        "--advertise-client-urls=" + member.client_url,
        "--listen-peer-urls=" + member.peer_url,
        "--initial-advertise-peer-urls=" + member.peer_url,
        "--initial-cluster=" + initial_cluster,
        "--initial-cluster-state=" + state,
        "--initial-cluster-token=druid-test-" + std::to_string(::getpid()),
        "--log-level=warn",
        "--logger=zap",
    };
    if (options_.client_tls) {
      args.push_back("--cert-file=" + options_.client_tls->cert_file.string());
      args.push_back("--key-file=" + options_.client_tls->key_file.string());
      args.push_back("--trusted-ca-file=" + options_.client_tls->ca_file.string());
      args.push_back("--client-cert-auth=true");
    }
    const auto log_dir = dir_.path() / (member.name + ".logs");
    std::filesystem::create_directories(log_dir);
    member.process = std::make_unique<operator_::test::ChildProcess>(
        options_.etcd_bin, args, std::map<std::string, std::string>{}, log_dir);
  }

  EtcdClusterOptions options_;
  operator_::test::TempDir dir_;
  std::set<int> taken_ports_;
  std::vector<EtcdMember> members_;
};

}  // namespace druid::test
