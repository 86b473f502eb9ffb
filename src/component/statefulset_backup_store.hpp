#pragma once
// What a backup store (spec.backup.store) adds to the etcd pod (upstream's
// internal/component/statefulset/builder.go and internal/utils/kubernetes/store.go): the
// backup-restore environment, the volume holding the provider's credentials or the Local buckets,
// its mount, and the init container that hands a Local bucket to the non-root user. `provider` is
// always the normalised name (api/provider.hpp), "" when the store names none. The copy-backups
// job (controller/etcdcopybackupstask) takes its per-provider facts from here too.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd.hpp"
#include "util/expected.hpp"

namespace druid::component {

// The normalised provider of spec.backup.store; "" without a store or without
// a provider. An unknown provider is an error naming the field.
util::Expected<std::string, std::string> backup_store_provider(const api::Etcd& etcd);

// Env of the backup-restore container: POD_NAME, POD_NAMESPACE and, with a
// store, STORAGE_CONTAINER and the provider's credential variables. ECS takes
// its credentials from the store secret, so ECS without secretRef is an error.
util::Expected<nlohmann::json, std::string> backup_restore_env(const api::Etcd& etcd,
                                                               const std::string& provider);

// Where a Local store's container is mounted: /home/nonroot/<container>, or
// /root/<container> with runAsRoot.
std::string local_store_mount_path(const api::Etcd& etcd);
// The same for a pod that runs as the non-root user (the copy-backups job).
std::string non_root_local_store_mount_path(const std::string& container);

// The variable telling backup-restore where a provider's mounted credentials
// are (AWS_APPLICATION_CREDENTIALS, ...); nullptr for Local, ECS and none.
const char* credentials_variable(const std::string& provider);

// A Local store's Secret may name the host directory of its buckets under this
// key; without it (or without a Secret) the buckets are under
// pod::kDefaultLocalBackupHostPath.
inline constexpr const char* kLocalHostPathSecretKey = "hostPath";
// Secret.data["hostPath"], decoded; nullopt without the key; an error naming
// the problem when it is not valid base64.
util::Expected<std::optional<std::string>, std::string> local_host_path_of_secret(
    const nlohmann::json& secret);

// The mount of the backup volume in the backup-restore container, if any:
// Local with a container, or a cloud provider (not ECS) with a secretRef.
std::optional<nlohmann::json> backup_volume_mount(const api::Etcd& etcd,
                                                  const std::string& provider);

// The backup volume, if any: Local → hostPath `<host_path>/<container>`
// (DirectoryOrCreate); a cloud provider (not ECS) with a secretRef → the
// secret. Without a secretRef the sidecar uses the pod's ambient identity.
std::optional<nlohmann::json> backup_volume(const api::Etcd& etcd, const std::string& provider,
                                            const std::string& local_host_path);

// `change-backup-bucket-permissions`, only for a Local store with a container
// when the pod does not run as root.
std::optional<nlohmann::json> change_backup_bucket_permissions_container(
    const api::Etcd& etcd, const std::string& provider, const std::string& alpine_image);

}  // namespace druid::component
