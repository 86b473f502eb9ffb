#pragma once
// The `<etcd>-compactor` Job (upstream's internal/controller/compaction/reconciler.go,
// createCompactionJob): one etcd-backup-restore container running `compact`,
// which restores the last full snapshot plus the deltas into an emptyDir,
// writes a new full snapshot and moves the full-snapshot lease forward. Pure:
// the reconciler reads what the builder needs from the cluster (the Local
// store's host path) and passes it in.
//
// Unlike the StatefulSet, a cloud store without secretRef is refused (the job
// runs with no ambient identity of the etcd pods), as upstream does.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"
#include "api/image_vector.hpp"
#include "util/expected.hpp"

namespace druid::controller::compaction {

inline constexpr const char* kCompactBackupContainer = "compact-backup";
inline constexpr const char* kWorkspaceVolume = "etcd-workspace-dir";
inline constexpr const char* kLocalStoreVolume = "host-storage";
// Long enough to read the failed pod's DisruptionTarget condition or container
// state before the pod goes (job_outcome.hpp).
inline constexpr std::int64_t kTerminationGracePeriodSeconds = 60;
// Requests when spec.backup.snapshotCompaction.resources sets none (or zero).
inline constexpr const char* kDefaultCpuRequest = "600m";
inline constexpr const char* kDefaultMemoryRequest = "3Gi";

struct CompactionJobSettings {
  std::chrono::seconds active_deadline{std::chrono::hours(3)};
  std::string metrics_scrape_wait = "0s";  // as Go prints durations
  bool upgrade_etcd_version = false;
  // Where a Local store's buckets are on the node: the store Secret's
  // `hostPath`, else the default (component::pod::kDefaultLocalBackupHostPath).
  std::string local_host_path;
};

// Why no Job can be built; `code` is one of error_codes.hpp. Retrying cannot
// help: the Etcd (or the image vector) must change.
struct JobBuildError {
  std::string code;
  std::string message;
};

// The Job to create, with a controller reference to the Etcd. The Etcd must
// have a backup store.
util::Expected<nlohmann::json, JobBuildError> build_compaction_job(
    const api::Etcd& etcd, const api::ImageVector& images, const CompactionJobSettings& settings);

// The container's arguments, in upstream's order.
util::Expected<std::vector<std::string>, JobBuildError> compaction_job_args(
    const api::Etcd& etcd, const std::string& provider, const std::string& metrics_scrape_wait);

}  // namespace druid::controller::compaction
