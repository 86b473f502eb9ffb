#pragma once
// Merging freshly computed condition results into `status.conditions`
// (upstream's internal/health/condition/builder.go):
// - a result updates the condition of its type (or adds it); lastTransitionTime
//   moves to now only when the status changes (or the condition is new),
//   lastUpdateTime is always now;
// - with spec.replicas == 0 nothing is really checked: every computed condition
//   keeps its previous status (Unknown when new) with reason NotChecked and
//   message "etcd cluster has been scaled down";
// - a previous condition of one of the seven managed types that was not
//   recomputed is dropped (its check no longer applies, e.g. BackupReady after
//   the store was removed); other types (LastSnapshotCompactionSucceeded, written
//   by the compaction controller) are kept as they are;
// - the list is sorted by type.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.hpp"
#include "util/time.hpp"

namespace druid::health {

// What one condition check concluded.
struct CheckResult {
  std::string type;
  std::string status;  // api::kConditionTrue / kConditionFalse / kConditionUnknown
  std::string reason;
  std::string message;
  friend bool operator==(const CheckResult&, const CheckResult&) = default;
};

inline constexpr const char* kNotCheckedReason = "NotChecked";
inline constexpr const char* kScaledDownMessage = "etcd cluster has been scaled down";

// Ready, AllMembersReady, AllMembersUpdated, BackupReady, DataVolumesReady,
// ClusterIDMismatch, BootstrappedWithExistingCluster.
bool is_managed_condition_type(std::string_view type);

std::vector<api::Condition> build_conditions(const std::vector<api::Condition>& previous,
                                             const std::vector<CheckResult>& results,
                                             std::int32_t replicas, util::Time now);

}  // namespace druid::health
