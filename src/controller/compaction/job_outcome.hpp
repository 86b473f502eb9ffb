#pragma once
// What a finished compaction Job means (upstream's
// internal/controller/compaction/reconciler.go: getJobCompletionStateAndReason,
// getPodFailureReasonAndLastTransitionTime): the reason written to the Etcd's
// LastSnapshotCompactionSucceeded condition, the failureReason label of the
// metrics, and how long the job ran. Pure: the reconciler passes the Job, its
// pod (if any is left) and the time.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "util/time.hpp"

namespace druid::controller::compaction {

// Reasons of the LastSnapshotCompactionSucceeded condition (upstream's
// api/core/v1alpha1 constants).
namespace condition_reason {
inline constexpr const char* kNone = "None";  // the job succeeded
inline constexpr const char* kDeadlineExceeded = "DeadlineExceeded";
// The pod's DisruptionTarget reasons (core/v1 PodReason...).
inline constexpr const char* kPreemptionByScheduler = "PreemptionByScheduler";
inline constexpr const char* kDeletionByTaintManager = "DeletionByTaintManager";
inline constexpr const char* kEvictionByEvictionAPI = "EvictionByEvictionAPI";
inline constexpr const char* kTerminationByKubelet = "TerminationByKubelet";
// The container ended on its own (a non-zero exit).
inline constexpr const char* kProcessFailure = "ProcessFailure";
inline constexpr const char* kUnknown = "Unknown";
inline constexpr const char* kFullSnapshotTakenSuccessfully = "FullSnapshotTakenSuccessfully";
inline constexpr const char* kErrorTriggeringFullSnapshot = "ErrorTriggeringFullSnapshot";
}  // namespace condition_reason

// Values of the failureReason label (upstream's internal/metrics).
namespace failure_label {
inline constexpr const char* kNone = "none";
inline constexpr const char* kPreempted = "preempted";
inline constexpr const char* kEvicted = "evicted";
inline constexpr const char* kDeadlineExceeded = "deadlineExceeded";
inline constexpr const char* kProcessFailure = "processFailure";
inline constexpr const char* kUnknown = "unknown";
}  // namespace failure_label

// The Job's conditions batch/v1 sets.
namespace job_condition {
inline constexpr const char* kComplete = "Complete";
inline constexpr const char* kSuccessCriteriaMet = "SuccessCriteriaMet";
inline constexpr const char* kFailed = "Failed";
inline constexpr const char* kFailureTarget = "FailureTarget";
inline constexpr const char* kDeadlineExceeded = "DeadlineExceeded";
inline constexpr const char* kBackoffLimitExceeded = "BackoffLimitExceeded";
}  // namespace job_condition

// The label the Job controller puts on its pods.
inline constexpr const char* kJobNameLabel = "batch.kubernetes.io/job-name";

struct JobOutcome {
  bool succeeded = false;
  std::string reason;         // condition_reason
  std::string failure_label;  // failure_label
  // How long the job ran, when known and positive.
  std::optional<double> duration_seconds;
  friend bool operator==(const JobOutcome&, const JobOutcome&) = default;
};

// Whether the Job finished: a Complete, SuccessCriteriaMet, Failed or
// FailureTarget condition that is True. A job that has not started (no pod
// yet) is not finished, whatever status.active says.
bool is_finished(const nlohmann::json& job);

// The outcome of a finished Job (nullopt while it is not). The first True
// terminal condition decides, as upstream: success; DeadlineExceeded (its
// duration is the deadline); BackoffLimitExceeded, explained by `pod` (the
// job's pod, null when gone): its DisruptionTarget condition (preempted or
// evicted), else a terminated container (ProcessFailure), else Unknown;
// any other failure is Unknown. `now` ends the duration when nothing else does.
std::optional<JobOutcome> classify_job(const nlohmann::json& job, const nlohmann::json* pod,
                                       util::Time now);

}  // namespace druid::controller::compaction
