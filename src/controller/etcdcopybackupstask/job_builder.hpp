#pragma once
// The `<task>-worker` Job of an EtcdCopyBackupsTask (upstream's
// internal/controller/etcdcopybackupstask/reconciler.go): one etcd-backup-restore
// container running `copy` from the source store into the target store, with
// each store's credentials or Local buckets mounted. Pure: the reconciler
// looks up what the builder needs from the cluster (the Local host paths)
// and passes it in.
//
// Unlike upstream, a task the job cannot serve is refused with a message
// instead of a panic or a job that cannot work: a store without a container,
// a cloud store without secretRef, an ECS store (upstream gives it no
// credentials at all, so the job could only fail), a target that is the
// source.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd_copy_backups_task.hpp"
#include "api/image_vector.hpp"
#include "util/expected.hpp"

namespace druid::controller::etcdcopybackupstask {

inline constexpr const char* kCopyBackupsContainer = "copy-backups";
// The volumes and mounts of the source store (the target's are the etcd pod's names).
inline constexpr const char* kLocalTargetVolume = "host-storage";
inline constexpr const char* kLocalSourceVolume = "source-host-storage";
inline constexpr const char* kSourceBackupSecretVolume = "source-etcd-backup-secret";
inline constexpr const char* kSourceBackupSecretPath = "/var/source-etcd-backup";
inline constexpr const char* kSourceGcsBackupSecretPath = "/var/.source-gcp/";
inline constexpr const char* kSnapstoreTempDirectory = "/home/nonroot/data/tmp";

// Why no job can be built: a code from error_codes.hpp and the message for
// status.lastError. Retrying cannot help: the task (or the operator's image
// vector) must change.
struct JobBuildError {
  std::string code;
  std::string message;
};

// The normalised providers of both stores, once every store rule holds.
struct CopyStores {
  std::string source_provider;  // "" when the store names none
  std::string target_provider;
};

// Checks both stores: a known provider that is not ECS, a container, a
// secretRef for a cloud provider, and a target that differs from the source.
util::Expected<CopyStores, JobBuildError> check_copy_stores(const api::EtcdCopyBackupsTask& task);

struct JobInputs {
  bool upgrade_etcd_version = false;
  // Secret(store.secretRef).data["hostPath"] of a Local store, decoded;
  // unset: the default host directory.
  std::optional<std::string> source_local_host_path;
  std::optional<std::string> target_local_host_path;
};

// The Job to create, with a controller reference to the task.
util::Expected<nlohmann::json, JobBuildError> build_copy_backups_job(
    const api::EtcdCopyBackupsTask& task, const api::ImageVector& images, const JobInputs& inputs);

}  // namespace druid::controller::etcdcopybackupstask
