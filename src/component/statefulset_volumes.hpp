#pragma once
// Volumes of the etcd pod and the mounts of its two containers
// (upstream's internal/component/statefulset/builder.go), in upstream's order: the data PVC, the
// configuration, the TLS secrets of client, peer and backup-restore traffic,
// and the backup store's volume (statefulset_backup_store.hpp).

#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"

namespace druid::component {

// Mounts of the `etcd` container: data, then client, peer and backup-restore
// CA TLS mounts. The etcd container does not mount the configuration:
// backup-restore serves it to the wrapper.
nlohmann::json etcd_volume_mounts(const api::Etcd& etcd);

// Mounts of the `backup-restore` container: data, configuration,
// backup-restore server TLS, client CA and client TLS, the backup volume.
nlohmann::json backup_restore_volume_mounts(const api::Etcd& etcd, const std::string& provider);

// Every pod volume. `local_host_path` is the Local store's host directory.
nlohmann::json pod_volumes(const api::Etcd& etcd, const std::string& provider,
                           const std::string& local_host_path);

}  // namespace druid::component
