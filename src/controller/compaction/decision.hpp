#pragma once
// What one compaction cycle does once no Job runs (upstream's
// internal/controller/compaction/reconciler.go, createCompactionJobOrTriggerFullSnapshot):
// backup-restore writes the revision of the last full snapshot into the
// holderIdentity of `<etcd>-full-snap` and that of the last delta snapshot
// into `<etcd>-delta-snap`; their difference is what a restore would replay.
// Pure: the reconciler passes the leases, the thresholds and the Etcd's
// LastSnapshotCompactionSucceeded condition.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/common.hpp"
#include "api/etcd.hpp"
#include "util/expected.hpp"

namespace druid::controller::compaction {

struct Thresholds {
  std::int64_t events = 0;                 // a Job from here on
  std::int64_t trigger_full_snapshot = 0;  // a full snapshot from here on
  friend bool operator==(const Thresholds&, const Thresholds&) = default;
};

// The configured thresholds, each replaced by spec.backup.snapshotCompaction's
// when the Etcd sets it.
Thresholds effective_thresholds(const api::Etcd& etcd, Thresholds configured);

enum class Action {
  kWait,          // a lease is missing or has no revision yet: its change triggers the next cycle
  kNothing,       // below the events threshold
  kCompact,       // create the compaction Job
  kFullSnapshot,  // ask the backup sidecar for a full snapshot instead
};

struct Decision {
  Action action = Action::kWait;
  // delta − full revision; set for every action but kWait.
  std::int64_t accumulated_revisions = 0;
  // Why, for the log ("delta revisions have crossed the upper threshold", ...).
  std::string why;
  friend bool operator==(const Decision&, const Decision&) = default;
};

// A full snapshot is due regardless of the revisions when the last cycle's
// Job ran out of time (it would again) or the last full snapshot failed (it
// is retried): the condition is False with DeadlineExceeded or
// ErrorTriggeringFullSnapshot.
bool full_snapshot_due_after(const api::Condition* last_compaction);

// `full_lease`/`delta_lease` are the Lease objects (null when absent). The
// error names the lease whose holderIdentity is not an integer: backup-restore
// wrote something druid cannot read, and the cycle is retried with backoff.
util::Expected<Decision, std::string> decide(const nlohmann::json* full_lease,
                                             const nlohmann::json* delta_lease,
                                             const Thresholds& thresholds,
                                             const api::Condition* last_compaction);

}  // namespace druid::controller::compaction
