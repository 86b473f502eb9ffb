#pragma once
// etcddruid_ondelete_pod_updates_total{etcd_namespace, outcome}
// (docs/quorum-aware-updates.md pods the OnDelete controller deleted for an
// update, by outcome. Thread-safe; the operator renders a snapshot on /metrics.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace druid::controller::ondelete {

namespace outcome {
inline constexpr const char* kDeleted = "deleted";
inline constexpr const char* kDeletedAfterLeaderTransfer = "deleted_after_leader_transfer";
inline constexpr const char* kDeletedWithoutLeaderTransfer = "deleted_without_leader_transfer";
inline constexpr const char* kDeleteFailed = "delete_failed";
}  // namespace outcome

inline constexpr const char* kPodUpdatesMetric = "etcddruid_ondelete_pod_updates_total";

class PodUpdateMetrics {
 public:
  // (etcd_namespace, outcome) -> count
  using Snapshot = std::map<std::pair<std::string, std::string>, std::uint64_t>;

  void count(const std::string& etcd_namespace, const std::string& outcome) {
    const std::lock_guard lock(mutex_);
    ++counts_[{etcd_namespace, outcome}];
  }
  Snapshot snapshot() const {
    const std::lock_guard lock(mutex_);
    return counts_;
  }

 private:
  mutable std::mutex mutex_;
  Snapshot counts_;
};

}  // namespace druid::controller::ondelete
