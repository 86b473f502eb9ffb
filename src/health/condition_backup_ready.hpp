#pragma once
// Condition `BackupReady` (upstream's internal/health/condition/check_backup_ready.go), from
// the two snapshot leases the backup-restore sidecar renews (etcd-backup-restore's
// pkg/health/heartbeat/heartbeat.go): `<etcd>-full-snap` after
// each full snapshot (renewTime = the snapshot's time) and `<etcd>-delta-snap`
// after each delta snapshot. Backups are healthy while the delta lease was
// renewed within 2 delta periods and the full lease within one full-snapshot
// interval (24h, or the gap between two activations of fullSnapshotSchedule).
// When that cannot be shown the condition first turns Unknown, and False only
// when it was already Unknown or False and the delta lease is more than 3 delta
// periods old, so a single late snapshot never reports a failed backup.
//
// The delta period is spec.backup.deltaSnapshotPeriod, or the sidecar's default
// of 20s when unset (upstream dereferences the unset field).

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"
#include "util/time.hpp"

namespace druid::health {

inline constexpr std::chrono::hours kDefaultFullSnapshotInterval{24};

// The interval between the next two activations of `schedule` after `now`;
// nullopt when the schedule does not parse or has no two activations.
std::optional<std::chrono::nanoseconds> full_snapshot_interval(const std::string& schedule,
                                                               util::Time now);

// nullopt when no backup store provider is configured (the condition is then
// omitted). `full_lease`/`delta_lease`: the snapshot leases, null when missing
// or unreadable. `etcd.status` is the previous status (for the previous
// BackupReady condition).
std::optional<CheckResult> check_backup_ready(const api::Etcd& etcd,
                                              const nlohmann::json* full_lease,
                                              const nlohmann::json* delta_lease, util::Time now);

}  // namespace druid::health
