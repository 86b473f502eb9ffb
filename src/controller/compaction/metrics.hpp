#pragma once
// The compaction controller's metrics (upstream's internal/controller/compaction/metrics.go,
// namespace etcddruid, subsystem compaction), with upstream's names, labels and
// buckets. Thread-safe: the reconciler's workers write, the operator renders a
// snapshot on /metrics. As upstream, series appear once first observed.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kube/work_queue.hpp"

namespace druid::controller::compaction {

namespace metric {
inline constexpr const char* kJobsTotal = "etcddruid_compaction_jobs_total";
inline constexpr const char* kFullSnapshotTriggeredTotal =
    "etcddruid_compaction_full_snapshot_triggered_total";
inline constexpr const char* kJobsCurrent = "etcddruid_compaction_jobs_current";
inline constexpr const char* kJobDurationSeconds = "etcddruid_compaction_job_duration_seconds";
inline constexpr const char* kNumDeltaEvents = "etcddruid_compaction_num_delta_events";

// Upstream's help texts, typo included: dashboards may show them.
inline constexpr const char* kJobsTotalHelp =
    "Total number of compaction jobs initiated by compaction controller.";
inline constexpr const char* kFullSnapshotTriggeredTotalHelp =
    "Total number of full snapshot triggered by compaction controller.";
inline constexpr const char* kJobsCurrentHelp = "Number of currently running comapction job.";
inline constexpr const char* kJobDurationSecondsHelp =
    "Total time taken in seconds to finish a running compaction job.";
inline constexpr const char* kNumDeltaEventsHelp =
    "Total number of etcd events to be compacted by a compaction job.";

// Label names.
inline constexpr const char* kSucceededLabel = "succeeded";
inline constexpr const char* kFailureReasonLabel = "failureReason";
inline constexpr const char* kEtcdNamespaceLabel = "etcd_namespace";
}  // namespace metric

// etcddruid_compaction_job_duration_seconds buckets: 1, 5, 10, 15, 20, 30 minutes.
inline std::vector<double> job_duration_buckets() {
  return {60, 300, 600, 900, 1200, 1800};
}

class CompactionMetrics {
 public:
  // (succeeded "true"/"false", failureReason, etcd_namespace)
  using JobKey = std::tuple<std::string, std::string, std::string>;
  // (succeeded, etcd_namespace)
  using SnapshotKey = std::pair<std::string, std::string>;

  struct Snapshot {
    std::map<JobKey, std::uint64_t> jobs_total;
    std::map<JobKey, kube::DurationHistogram> job_duration_seconds;
    std::map<SnapshotKey, std::uint64_t> full_snapshot_triggered_total;
    std::map<std::string, double> jobs_current;      // by etcd_namespace
    std::map<std::string, double> num_delta_events;  // by etcd_namespace
  };

  // A finished job: jobs_total, and its duration when known.
  void job_finished(const std::string& etcd_namespace, bool succeeded,
                    const std::string& failure_reason, std::optional<double> duration_seconds) {
    const std::lock_guard lock(mutex_);
    const JobKey key{succeeded ? "true" : "false", failure_reason, etcd_namespace};
    ++data_.jobs_total[key];
    if (duration_seconds) {
      auto [it, inserted] = data_.job_duration_seconds.try_emplace(
          key, kube::DurationHistogram(job_duration_buckets()));
      it->second.observe(std::chrono::duration_cast<kube::Clock::Duration>(
          std::chrono::duration<double>(*duration_seconds)));
    }
  }
  void full_snapshot_triggered(const std::string& etcd_namespace, bool succeeded) {
    const std::lock_guard lock(mutex_);
    ++data_.full_snapshot_triggered_total[{succeeded ? "true" : "false", etcd_namespace}];
  }
  void set_jobs_current(const std::string& etcd_namespace, double value) {
    const std::lock_guard lock(mutex_);
    data_.jobs_current[etcd_namespace] = value;
  }
  void set_num_delta_events(const std::string& etcd_namespace, double value) {
    const std::lock_guard lock(mutex_);
    data_.num_delta_events[etcd_namespace] = value;
  }

  Snapshot snapshot() const {
    const std::lock_guard lock(mutex_);
    return data_;
  }

 private:
  mutable std::mutex mutex_;
  Snapshot data_;
};

}  // namespace druid::controller::compaction
