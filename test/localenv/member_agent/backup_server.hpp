#pragma once
// `druid-member-agent server`: etcd-backup-restore's part of the pod contract
// (test/localenv/README.md) for the local environment — the HTTP API the
// etcd-wrapper and druid call (/initialization/*, /config, /healthz,
// /snapshot/*), the member lease heartbeat with learner promotion, and full and
// delta snapshots into the Local store while this member is etcd's leader.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "etcd/client.hpp"
#include "kube/client.hpp"
#include "localenv/member_agent/backup_server_environment.hpp"
#include "localenv/member_agent/backup_server_flags.hpp"
#include "localenv/member_agent/local_snapstore.hpp"
#include "localenv/member_agent/snapshotter.hpp"
#include "util/expected.hpp"

namespace httplib {
class Server;
}

namespace druid::localenv::backup {

// The one-shot state of /initialization/status.
enum class InitializationState { kNew, kProgress, kSuccessful, kFailed };
std::string to_string(InitializationState state);

class BackupServer {
 public:
  // `kube` may be null: then no lease is read or written.
  BackupServer(BackupServerFlags flags, BackupServerEnvironment env,
               std::unique_ptr<kube::Client> kube);
  ~BackupServer();
  BackupServer(const BackupServer&) = delete;
  BackupServer& operator=(const BackupServer&) = delete;

  // Listens on 0.0.0.0:<server-port> (any free port for 0) and starts the
  // maintenance loop; the bound port, or why it could not start.
  util::Expected<int, std::string> start();
  // Stops the server and joins every thread. Idempotent.
  void stop();

  bool healthy() const { return healthy_.load(); }

 private:
  void routes();
  void maintain();
  void maintenance_tick(std::chrono::steady_clock::time_point& next_heartbeat,
                        std::chrono::steady_clock::time_point& next_delta, util::Time& next_full,
                        bool& was_leader);
  void run_initializer(const std::string& mode);
  util::Expected<std::string, std::string> member_config_yaml();
  util::Expected<nlohmann::json, std::string> load_config() const;
  std::optional<std::vector<etcd::Member>> service_member_list(int attempts);
  etcd::ClientOptions etcd_options(std::vector<std::string> endpoints,
                                   std::chrono::milliseconds timeout) const;
  // Where a non-leader forwards /snapshot/*: "host:port" of the leader's agent.
  util::Expected<std::string, std::string> leader_agent_address();

  BackupServerFlags flags_;
  BackupServerEnvironment env_;
  std::unique_ptr<kube::Client> kube_;
  std::unique_ptr<etcd::Client> etcd_;           // this member's etcd
  std::unique_ptr<etcd::Client> snapshot_etcd_;  // the same, with the snapshot timeout
  std::optional<LocalSnapstore> store_;
  std::unique_ptr<Snapshotter> snapshotter_;
  std::unique_ptr<httplib::Server> http_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> healthy_{false};
  std::atomic<bool> leader_{false};
  std::mutex mutex_;  // guards init_state_, init_thread_ and wakes the loop
  std::condition_variable wake_;
  InitializationState init_state_ = InitializationState::kNew;
  std::thread init_thread_;
  std::thread http_thread_;
  std::thread maintenance_thread_;
};

}  // namespace druid::localenv::backup
