#pragma once
// The compaction controller's settings (`controllers.compaction` of upstream's
// api/config/v1alpha1/types.go), with upstream's defaults. The operator maps
// its configuration here (operator/config_mapping); tests set them directly.

#include <chrono>
#include <cstdint>
#include <string>

namespace druid::controller::compaction {

struct CompactionControllerConfig {
  int workers = 3;  // concurrentSyncs
  // A compaction Job is created once the delta snapshots hold this many
  // revisions beyond the last full snapshot (spec.backup.snapshotCompaction
  // overrides both thresholds per Etcd).
  std::int64_t events_threshold = 1000000;
  // Beyond this many, a Job would hardly finish in time: a full snapshot is
  // taken instead.
  std::int64_t trigger_full_snapshot_threshold = 3000000;
  std::chrono::seconds active_deadline{std::chrono::hours(3)};
  // Passed to the job as Go prints durations (`--metrics-scrape-wait-duration=0s`).
  std::string metrics_scrape_wait = "0s";
  // The UpgradeEtcdVersion feature gate: the `-next` backup-restore image.
  bool upgrade_etcd_version = false;
  // How long to wait for a Job being deleted, and before looking again after
  // a completed Job was handled (upstream's 10 s).
  std::chrono::milliseconds requeue_interval = std::chrono::seconds(10);
};

}  // namespace druid::controller::compaction
