#pragma once
// Per-Etcd metrics (ours, beyond upstream's; docs/monitoring.md lists them):
// what a dashboard and alerts need per cluster, at a fixed number of series
// per Etcd (no per-member or per-pod labels), labelled etcd_namespace and
// etcd_name — not `namespace`, which Prometheus sets to the operator's own
// namespace when it scrapes the pod.
//
// Two sources. What the Etcd's status and its snapshot leases say (conditions,
// members, snapshot ages) is read at scrape time from the informer caches, so
// it is as fresh as the caches and costs no request and no reconcile. What
// only a reconcile sees (its duration and result, leader changes) is recorded
// by the reconciler in EtcdMetrics.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "component/object_reader.hpp"
#include "kube/clock.hpp"
#include "util/time.hpp"

namespace druid::controller::etcd {

namespace metric {
inline constexpr const char* kCondition = "etcddruid_etcd_condition";
inline constexpr const char* kMembersDesired = "etcddruid_etcd_members_desired";
inline constexpr const char* kMembersReady = "etcddruid_etcd_members_ready";
inline constexpr const char* kLeaderChangesTotal = "etcddruid_etcd_leader_changes_total";
inline constexpr const char* kLastReconcileDurationSeconds =
    "etcddruid_etcd_last_reconcile_duration_seconds";
inline constexpr const char* kLastReconcileSuccess = "etcddruid_etcd_last_reconcile_success";
inline constexpr const char* kLastReconcileTimestampSeconds =
    "etcddruid_etcd_last_reconcile_timestamp_seconds";
inline constexpr const char* kReconcileErrorsTotal = "etcddruid_etcd_reconcile_errors_total";
inline constexpr const char* kSnapshotLeaseAgeSeconds = "etcddruid_etcd_snapshot_lease_age_seconds";
inline constexpr const char* kSnapshotPeriodSeconds = "etcddruid_etcd_snapshot_period_seconds";

inline constexpr const char* kNamespaceLabel = "etcd_namespace";
inline constexpr const char* kNameLabel = "etcd_name";
inline constexpr const char* kConditionLabel = "condition";
inline constexpr const char* kKindLabel = "kind";  // "full" or "delta"
}  // namespace metric

// A condition's status as a sample: True 1, False 0, Unknown (or any other) -1.
double condition_value(const std::string& status);

// What the reconciler records; thread-safe (workers write, /metrics reads).
class EtcdMetrics {
 public:
  using Key = std::pair<std::string, std::string>;  // namespace, name

  struct Recorded {
    std::uint64_t leader_changes = 0;
    std::optional<std::string> leader;  // the last leader seen
    double last_reconcile_duration_seconds = 0;
    bool last_reconcile_succeeded = false;
    double last_reconcile_timestamp_seconds = 0;  // Unix time
    std::uint64_t reconcile_errors = 0;
  };

  void reconciled(const Key& etcd, std::chrono::nanoseconds duration, bool succeeded,
                  util::Time finished);
  // The leader the status flow saw. A change from one leader to another
  // counts, also across a time without one (an election after a lost quorum
  // that picks the same member is not a change).
  void leader_seen(const Key& etcd, const std::optional<std::string>& leader);
  // The Etcd is gone: its series end.
  void forget(const Key& etcd);

  std::map<Key, Recorded> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<Key, Recorded> data_;
};

// One Etcd's samples.
struct EtcdSeries {
  std::string namespace_;
  std::string name;
  std::vector<std::pair<std::string, double>> conditions;  // by type, in status order
  double members_desired = 0;
  double members_ready = 0;
  std::optional<EtcdMetrics::Recorded> recorded;  // absent before its first reconcile
  // Only for Etcds with a backup store; ages only once a snapshot was taken.
  std::optional<double> full_snapshot_age_seconds, delta_snapshot_age_seconds;
  std::optional<double> full_snapshot_period_seconds, delta_snapshot_period_seconds;
};

// Every Etcd the reader holds, sorted by namespace and name, with what
// `recorded` knows about it. Reads only `reader` (the informer caches).
std::vector<EtcdSeries> collect_etcd_series(component::ObjectReader& reader,
                                            const EtcdMetrics& recorded, util::Time now);

}  // namespace druid::controller::etcd
