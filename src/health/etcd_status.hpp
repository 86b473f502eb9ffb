#pragma once
// The status flow's computation (upstream's internal/controller/etcd/reconcile_status.go), as
// one pure function of the Etcd and what the controller read from its caches: members
// (member_status.hpp), the seven conditions (docs/conditions.md), the StatefulSet-derived
// fields (statefulset_status.hpp), the selector
// for the scale subresource and the write-once bootstrap record. Nothing here
// performs I/O, reads a clock or throws on malformed objects.
//
// When to write it (docs/compatibility.md, docs/conditions.md): only when something
// other than conditions' lastUpdateTime changed, and at the latest every 5
// minutes as a heartbeat, so a steady cluster costs no status write per period.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "health/member_status.hpp"
#include "util/time.hpp"

namespace druid::health {

inline constexpr std::chrono::minutes kStatusHeartbeatPeriod{5};

struct StatusInputs {
  // Objects in the Etcd's namespace; each check picks what it needs by name
  // (leases, pods) or by relation (PVCs of the StatefulSet, events about them).
  std::vector<ObjectPtr> member_leases;
  std::vector<ObjectPtr> pods;
  ObjectPtr
      statefulset;  // `<etcd>`; null when absent (one not controlled by the Etcd counts as absent)
  std::vector<ObjectPtr> snapshot_leases;  // `<etcd>-full-snap`, `<etcd>-delta-snap`
  std::vector<ObjectPtr> pvcs;
  std::vector<ObjectPtr> events;  // Warning events (others are ignored)
  MemberThresholds thresholds;
  util::Time now;
  // Reads that failed (live reads; a synced cache does not fail). Each is
  // reported by the conditions that needed it, with upstream's reason.
  std::optional<std::string> member_leases_error;
  std::optional<std::string> pods_error;
  std::optional<std::string> statefulset_error;  // also keeps the StatefulSet-derived fields
  std::optional<std::string> snapshot_leases_error;
  std::optional<std::string> pvcs_error;
  std::optional<std::string> events_error;
};

// The new status: `etcd.status` (or an empty one) with members, conditions,
// StatefulSet fields, selector and bootstrapWithExistingCluster recomputed;
// lastOperation, lastErrors, observedGeneration and unknown keys untouched.
api::EtcdStatus compute_status(const api::Etcd& etcd, const StatusInputs& inputs);

// True if `updated` differs from `old` in anything but conditions' lastUpdateTime.
bool status_changed_beyond_update_times(const api::EtcdStatus& old, const api::EtcdStatus& updated);

// The newest lastUpdateTime among the conditions this flow manages is `period`
// or more before `now` (or unreadable), so the status is due to be rewritten to
// show it is fresh. False when there are none. The period is configurable
// (controller config `status_heartbeat`) so tests see a heartbeat in seconds.
bool status_heartbeat_due(const api::EtcdStatus& old, util::Time now,
                          std::chrono::nanoseconds period = kStatusHeartbeatPeriod);

// status_changed_beyond_update_times || status_heartbeat_due.
bool should_write_status(const api::EtcdStatus& old, const api::EtcdStatus& updated, util::Time now,
                         std::chrono::nanoseconds heartbeat = kStatusHeartbeatPeriod);

}  // namespace druid::health
