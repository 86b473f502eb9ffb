#pragma once
// Runs the runtime of one operator process, as controller-runtime's manager:
// the informers (shared: one per type/namespace/selector), the controllers,
// the event recorder and, optionally, leader election. run() starts the
// informers, waits until their caches are synced, then runs the controllers
// (only while leading when leader election is enabled) until request_stop()
// or until leadership is lost; then it stops everything in reverse order:
// controllers (waiting for running reconciles), the elector (releasing the
// Lease), the informers, the event recorder (writing what is pending).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kube/client.hpp"
#include "kube/clock.hpp"
#include "kube/controller.hpp"
#include "kube/event_recorder.hpp"
#include "kube/informer.hpp"
#include "kube/leader_election.hpp"
#include "util/expected.hpp"

namespace druid::kube {

struct ManagerOptions {
  std::optional<LeaderElectionConfig> leader_election;  // unset: always run controllers
  Clock::Duration cache_sync_timeout = std::chrono::minutes(2);
  EventRecorderOptions events;
  const Clock* clock = nullptr;  // null: the system clock
  // Called every `housekeeping_interval` on the thread in run(), which only
  // waits otherwise, from when the controllers start until stop: process-wide
  // chores the runtime knows nothing of (the operator returns freed heap to
  // the system).
  std::function<void()> housekeeping;
  Clock::Duration housekeeping_interval = std::chrono::seconds(30);
};

enum class ManagerErrorReason {
  kInvalidConfiguration,
  kCacheSyncTimeout,
  kLeaderElectionLost,
  kAlreadyRunning,
};

struct ManagerError {
  ManagerErrorReason reason;
  std::string message;
};

class Manager {
 public:
  explicit Manager(Client& client, ManagerOptions options = {});
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  Client& client() { return client_; }
  // Requests sent by the leader elector's own client (none without leader election), for
  // rest_client_requests_total next to client()'s.
  std::map<RequestKey, std::uint64_t> election_request_counts() const;

  // The informer for these options, created on first use; call before run().
  Informer& informer(const InformerOptions& options);
  // Registers a controller; call before run() (and watch() its informers).
  Controller& add_controller(std::string name, std::shared_ptr<Reconciler> reconciler,
                             ControllerOptions options = {});
  EventRecorder& event_recorder() { return *recorder_; }

  // Blocks until request_stop() or lost leadership. An error when the caches
  // did not sync in time, leadership was lost, or the configuration is invalid.
  util::Expected<std::monostate, ManagerError> run();
  // Thread-safe; not async-signal-safe: a signal handler should hand the
  // signal to a thread (e.g. sigwait) that calls this.
  void request_stop();

  // Readiness: every informer's cache holds its first list.
  bool caches_synced() const { return caches_synced_.load(); }
  // Whether controllers run (always true once synced without leader election).
  bool is_leader() const { return leading_.load(); }

  std::vector<ControllerMetrics> controller_metrics() const;
  std::vector<std::pair<InformerOptions, InformerStats>> informer_stats() const;

 private:
  bool wait_for_caches();
  void start_controllers();
  void stop_controllers();
  void shut_down();

  Client& client_;
  ManagerOptions options_;
  const Clock& clock_;
  std::unique_ptr<EventRecorder> recorder_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool running_ = false;
  std::atomic<bool> caches_synced_{false};
  std::atomic<bool> leading_{false};

  std::map<std::string, std::unique_ptr<Informer>> informers_;  // by identity of their options
  std::vector<std::unique_ptr<Controller>> controllers_;
  // The elector talks through a client of its own (as controller-runtime's leader election does),
  // so that client_ can be fenced by the lease without fencing the lease's own renewals.
  std::unique_ptr<Client> election_client_;
  std::unique_ptr<LeaderElector> elector_;
};

}  // namespace druid::kube
