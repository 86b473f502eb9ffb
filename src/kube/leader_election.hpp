#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection package does it:
//  - a candidate takes the Lease when nobody holds it (no holderIdentity) or
//    when the holder has not renewed it for leaseDuration, measured on the
//    candidate's own clock from when it last saw the record change (so clock
//    skew between machines does not matter);
//  - the leader renews every retryPeriod; if no renewal succeeds for
//    renewDeadline it stops leading (renewDeadline < leaseDuration, so it
//    stops before anyone else may take over);
//  - every write is an update conditional on the resourceVersion read, so of
//    two candidates only one wins (the other gets 409 Conflict and retries);
//  - on stop() a leader releases the Lease (empty holderIdentity), so a
//    successor takes over at its next retry instead of waiting out the lease.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "kube/client.hpp"
#include "kube/clock.hpp"

namespace druid::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per process, e.g. "<hostname>_<uuid>"
  Clock::Duration lease_duration = std::chrono::seconds(15);
  Clock::Duration renew_deadline = std::chrono::seconds(10);
  Clock::Duration retry_period = std::chrono::seconds(2);
  bool release_on_cancel = true;
  const Clock* clock = nullptr;  // null: the system clock
};

// Problems with a configuration, e.g. "leaseDuration must be greater than
// renewDeadline"; empty when it is usable.
std::string validate_leader_election(const LeaderElectionConfig& config);

struct LeaderCallbacks {
  // Called on the elector's thread; keep them short (start or stop work).
  std::function<void()> on_started_leading;
  // After on_started_leading, when leading ends: lost (see lost()) or stop().
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& identity)> on_new_leader;  // any holder change
};

// The Lease spec as the elector reads and writes it.
struct LeaderElectionRecord {
  std::string holder_identity;
  std::int64_t lease_duration_seconds = 0;
  std::string acquire_time;  // MicroTime text, "" when unset
  std::string renew_time;
  std::int64_t lease_transitions = 0;
  friend bool operator==(const LeaderElectionRecord&, const LeaderElectionRecord&) = default;
};

class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionConfig config, LeaderCallbacks callbacks = {});
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Campaigns on a background thread until stop() or until leadership is lost
  // (a lost leader does not campaign again: its process is expected to exit,
  // as controller-runtime's managers do).
  void start();
  // Releases the Lease if leading (and release_on_cancel), then joins.
  void stop();

  bool is_leader() const { return leading_.load(); }
  // Leading, and renewDeadline has not passed since the last renewal began (read from the clock
  // now, not from the elector thread, which a paused process does not run): what a write fence
  // asks. Others wait leaseDuration from when they saw that renewal, so while this holds nobody
  // else can have taken the lease.
  bool holds_lease() const;
  // The holder last observed ("" when none or not yet read).
  std::string leader() const;
  // True once leadership was held and then lost (not released by stop()).
  bool lost() const { return lost_.load(); }

 private:
  void run();
  // One attempt to take or keep the Lease; true when we hold it afterwards.
  bool try_acquire_or_renew();
  void release();
  void hold_lease_until(Clock::TimePoint until);
  // Waits until `deadline` or stop; false when stopped.
  bool wait_until(Clock::TimePoint deadline);
  // retryPeriod stretched by up to 1.2x at random (client-go's JitterFactor),
  // so candidates that failed together do not retry together.
  Clock::Duration jittered_retry();
  void observe(const LeaderElectionRecord& record, Clock::TimePoint now);
  nlohmann::json lease_object(const LeaderElectionRecord& record) const;

  Client& client_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  const Clock& clock_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> leading_{false};
  std::atomic<bool> lost_{false};
  // Until when holds_lease() is true: the start of the last successful renewal plus
  // renewDeadline (Clock::TimePoint ticks; the epoch's when not leading).
  std::atomic<Clock::Duration::rep> lease_held_until_{0};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::string observed_holder_;  // guarded by mutex_ (read by leader())

  // Elector thread only.
  std::optional<LeaderElectionRecord> observed_record_;
  Clock::TimePoint observed_time_{};
  nlohmann::json observed_lease_;  // the Lease last read or written (for its resourceVersion)
  std::minstd_rand random_;        // retry jitter

  std::mutex lifecycle_mutex_;  // start() and stop() may come from different threads
  std::thread thread_;
};

}  // namespace druid::kube
