#pragma once
// Plays, for one Etcd with a backup store, what moves its snapshot leases in a
// cluster, so that druid's compaction controller has work in the local
// environment:
//  - the leading member's backup-restore sidecar: a full snapshot when it
//    starts and on spec.backup.fullSnapshotSchedule, a delta snapshot every
//    period, each renewing its lease with the revision the snapshot reaches as
//    holderIdentity (etcd-backup-restore's pkg/snapshot/snapshotter; a full
//    snapshot renews the delta lease too, as its heartbeat package does);
//  - the compaction Job `<etcd>-compactor` the controller creates: after a
//    while it has written a full snapshot of everything the deltas hold, moved
//    the full snapshot lease to that revision, and completed.
// So delta − full grows by revisions_per_delta each period until the
// threshold, a Job appears and completes, and the count starts again.
//
// Reads the Etcd, the leases and the Job from the caller's informer caches and
// writes only what falls due; next_due() says when that is, so the caller can
// sleep until then or an event.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd.hpp"
#include "kube/cache.hpp"
#include "kube/client.hpp"
#include "util/time.hpp"

namespace druid::test {

struct SnapshotSidecarOptions {
  // A few seconds, so that an Etcd with a low eventsThreshold gets a Job within
  // a minute; backup-restore's --delta-snapshot-period defaults to 20 s.
  std::chrono::milliseconds delta_snapshot_period{std::chrono::seconds(5)};
  // The etcd writes between two delta snapshots.
  std::int64_t revisions_per_delta = 100;
  // How long a compaction Job runs before it completes.
  std::chrono::milliseconds compaction_duration{std::chrono::seconds(5)};
};

// The informer caches the sidecar reads; the lease and Job caches must hold
// druid's objects (its managed-by label) at least.
struct SnapshotSidecarCaches {
  const kube::Cache* etcds = nullptr;
  const kube::Cache* leases = nullptr;
  const kube::Cache* jobs = nullptr;
};

class SnapshotSidecar {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  SnapshotSidecar(kube::Client& client, std::string etcd_name, std::string ns,
                  SnapshotSidecarOptions options, SnapshotSidecarCaches caches);

  // Whether the sidecar has taken its first full snapshot and not stopped
  // since (the store or the last member went, or a snapshot lease is gone).
  bool running() const { return running_; }

  // Writes what is due. True when nothing due failed; otherwise last_error()
  // says what is missing or failed, and the next sync() tries again.
  bool sync();

  // When the next sync() has something to write; nullopt: only after events.
  std::optional<TimePoint> next_due() const;

  const std::string& last_error() const { return error_; }

 private:
  static util::Time wall_now();

  bool fail(const std::string& what);
  // Nothing to play (any more); the next start takes a full snapshot first.
  bool stop();

  // The revision a snapshot lease holds; 0 without one.
  static std::int64_t holder_revision(const nlohmann::json& lease);

  bool write_lease(const std::string& name, std::int64_t revision, util::Time renew_time);

  // Both leases reach the snapshot's revision. The delta lease first: in
  // between, delta − full is negative, never a count that could start a Job.
  bool take_full_snapshot(const api::Etcd& etcd, std::int64_t reached, TimePoint now);

  // The schedule's next activation after `wall`, on the steady clock; none
  // without a schedule (or one that never fires).
  static std::optional<TimePoint> next_scheduled_full(const api::Etcd& etcd, util::Time wall,
                                                      TimePoint now);

  static bool finished(const nlohmann::json& job);

  // The compaction Job: once it has run compaction_duration, the full
  // snapshot lease reaches the newest delta's revision (what the compactor's
  // snapshot holds), then the Job completes as the Job controller would show it.
  bool complete_compaction(TimePoint now);

  kube::Client& client_;
  std::string etcd_name_;
  std::string ns_;
  SnapshotSidecarOptions options_;
  SnapshotSidecarCaches caches_;

  bool running_ = false;
  std::int64_t revision_ = 0;
  TimePoint next_delta_{};
  std::optional<TimePoint> next_full_;
  // The compaction Job running, when it was first seen, and the last one
  // completed (the cache may still show it unfinished for a moment).
  std::string job_uid_;
  TimePoint job_seen_at_{};
  util::Time job_started_{};
  std::string completed_job_uid_;
  std::string error_;
};

}  // namespace druid::test
