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

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/cron.hpp"
#include "api/etcd.hpp"
#include "api/names.hpp"
#include "api/time.hpp"
#include "kube/cache.hpp"
#include "kube/client.hpp"
#include "kube/resource.hpp"
#include "support/cluster_simulator.hpp"

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
                  SnapshotSidecarOptions options, SnapshotSidecarCaches caches)
      : client_(client),
        etcd_name_(std::move(etcd_name)),
        ns_(std::move(ns)),
        options_(options),
        caches_(caches) {}

  // Whether the sidecar has taken its first full snapshot and not stopped
  // since (the store or the last member went, or a snapshot lease is gone).
  bool running() const { return running_; }

  // Writes what is due. True when nothing due failed; otherwise last_error()
  // says what is missing or failed, and the next sync() tries again.
  bool sync() {
    error_.clear();
    const auto etcd_json = caches_.etcds->get(ns_, etcd_name_);
    if (!etcd_json) return stop();
    auto etcd = api::decode_etcd(*etcd_json);
    if (!etcd) return fail("Etcd does not decode");
    if (!api::is_backup_store_enabled(*etcd) || etcd->spec.replicas < 1) return stop();
    const auto full = caches_.leases->get(ns_, api::full_snapshot_lease_name(etcd_name_));
    const auto delta = caches_.leases->get(ns_, api::delta_snapshot_lease_name(etcd_name_));
    if (!full || !delta) {
      // Druid has not created it yet, or deleted it; its creation is an event.
      stop();
      return fail(fmt::format("snapshot lease {}: not found",
                              full ? api::delta_snapshot_lease_name(etcd_name_)
                                   : api::full_snapshot_lease_name(etcd_name_)));
    }

    const auto now = std::chrono::steady_clock::now();
    if (!running_) {
      // Revisions never go back, also across a restart of this program or
      // of the sidecar: the leases may hold what an earlier run wrote.
      revision_ = std::max({revision_, holder_revision(*full), holder_revision(*delta)});
      if (!take_full_snapshot(*etcd, revision_ + options_.revisions_per_delta, now)) return false;
      running_ = true;
    } else if (next_full_ && *next_full_ <= now) {
      if (!take_full_snapshot(*etcd, revision_ + options_.revisions_per_delta, now)) return false;
    }
    if (now >= next_delta_) {
      const std::int64_t reached = revision_ + options_.revisions_per_delta;
      if (!write_lease(api::delta_snapshot_lease_name(etcd_name_), reached, wall_now())) {
        return false;
      }
      revision_ = reached;
      next_delta_ = now + options_.delta_snapshot_period;
    }
    return complete_compaction(now);
  }

  // When the next sync() has something to write; nullopt: only after events.
  std::optional<TimePoint> next_due() const {
    if (!running_) return std::nullopt;
    TimePoint next = next_delta_;
    if (next_full_) next = std::min(next, *next_full_);
    if (!job_uid_.empty()) next = std::min(next, job_seen_at_ + options_.compaction_duration);
    return next;
  }

  const std::string& last_error() const { return error_; }

 private:
  static api::Time wall_now() {
    return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  }

  bool fail(const std::string& what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  // Nothing to play (any more); the next start takes a full snapshot first.
  bool stop() {
    running_ = false;
    next_full_.reset();
    job_uid_.clear();
    return true;
  }

  // The revision a snapshot lease holds; 0 without one.
  static std::int64_t holder_revision(const nlohmann::json& lease) {
    const std::string holder =
        lease.value(nlohmann::json::json_pointer("/spec/holderIdentity"), std::string());
    std::int64_t revision = 0;
    const auto [end, error] =
        std::from_chars(holder.data(), holder.data() + holder.size(), revision);
    return error == std::errc() && end == holder.data() + holder.size() ? revision : 0;
  }

  bool write_lease(const std::string& name, std::int64_t revision, api::Time renew_time) {
    auto patched = client_.patch(kube::resources::kLeases, ns_, name, kube::PatchType::kMerge,
                                 snapshot_lease_renewal(revision, renew_time));
    if (!patched) return fail("renewing lease " + name + ": " + patched.error().what());
    return true;
  }

  // Both leases reach the snapshot's revision. The delta lease first: in
  // between, delta − full is negative, never a count that could start a Job.
  bool take_full_snapshot(const api::Etcd& etcd, std::int64_t reached, TimePoint now) {
    const api::Time wall = wall_now();
    if (!write_lease(api::delta_snapshot_lease_name(etcd_name_), reached, wall) ||
        !write_lease(api::full_snapshot_lease_name(etcd_name_), reached, wall)) {
      return false;
    }
    revision_ = reached;
    next_delta_ = now + options_.delta_snapshot_period;
    next_full_ = next_scheduled_full(etcd, wall, now);
    return true;
  }

  // The schedule's next activation after `wall`, on the steady clock; none
  // without a schedule (or one that never fires).
  static std::optional<TimePoint> next_scheduled_full(const api::Etcd& etcd, api::Time wall,
                                                      TimePoint now) {
    const auto& schedule = etcd.spec.backup.full_snapshot_schedule;
    if (!schedule) return std::nullopt;
    const auto parsed = api::CronSchedule::parse(*schedule);
    if (!parsed) return std::nullopt;
    const api::Time next = parsed->next(wall);
    if (next == api::Time::max()) return std::nullopt;
    return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(next - wall);
  }

  static bool finished(const nlohmann::json& job) {
    const auto conditions =
        job.value(nlohmann::json::json_pointer("/status/conditions"), nlohmann::json::array());
    return std::any_of(conditions.begin(), conditions.end(), [](const nlohmann::json& condition) {
      const std::string type = condition.value("type", "");
      return condition.value("status", "") == "True" &&
             (type == "Complete" || type == "SuccessCriteriaMet" || type == "Failed" ||
              type == "FailureTarget");
    });
  }

  // The compaction Job: once it has run compaction_duration, the full
  // snapshot lease reaches the newest delta's revision (what the compactor's
  // snapshot holds), then the Job completes as the Job controller would show it.
  bool complete_compaction(TimePoint now) {
    const auto job = caches_.jobs->get(ns_, api::compaction_job_name(etcd_name_));
    const auto& meta = job ? job->value("metadata", nlohmann::json::object()) : nlohmann::json();
    const std::string uid = job ? meta.value("uid", "") : "";
    if (!job || meta.contains("deletionTimestamp") || finished(*job) || uid == completed_job_uid_) {
      job_uid_.clear();
      return true;
    }
    if (uid != job_uid_) {
      job_uid_ = uid;
      job_seen_at_ = now;
      job_started_ = wall_now();
    }
    if (now < job_seen_at_ + options_.compaction_duration) return true;
    const api::Time ended = wall_now();
    if (!write_lease(api::full_snapshot_lease_name(etcd_name_), revision_, ended)) return false;
    const std::string started_text = api::format_rfc3339(job_started_);
    const std::string ended_text = api::format_rfc3339(ended);
    const nlohmann::json status = {
        {"status",
         {{"startTime", started_text},
          {"completionTime", ended_text},
          {"succeeded", 1},
          {"active", 0},
          {"ready", 0},
          {"terminating", 0},
          {"conditions", nlohmann::json::array({{{"type", "SuccessCriteriaMet"},
                                                 {"status", "True"},
                                                 {"lastProbeTime", ended_text},
                                                 {"lastTransitionTime", ended_text}},
                                                {{"type", "Complete"},
                                                 {"status", "True"},
                                                 {"lastProbeTime", ended_text},
                                                 {"lastTransitionTime", ended_text}}})}}}};
    auto patched = client_.patch(kube::resources::kJobs, ns_, api::compaction_job_name(etcd_name_),
                                 kube::PatchType::kMerge, status, "status");
    if (!patched) return fail("completing Job: " + std::string(patched.error().what()));
    completed_job_uid_ = uid;
    job_uid_.clear();
    return true;
  }

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
  api::Time job_started_{};
  std::string completed_job_uid_;
  std::string error_;
};

}  // namespace druid::test
