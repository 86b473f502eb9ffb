#pragma once
// Command-line arguments of the two containers of an etcd pod, in exactly
// upstream's order (getEtcdContainerCommandArgs and getBackupRestoreContainerCommandArgs in
// upstream's internal/component/statefulset/builder.go): a
// reordered or reworded argument changes the pod template and rolls every
// etcd pod when druid takes over from the Go operator.

#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "util/expected.hpp"

namespace druid::component {

// etcd-wrapper `start-etcd`.
std::vector<std::string> etcd_wrapper_args(const api::Etcd& etcd);

// etcd-backup-restore `server`; `provider` is the normalised storage provider
// ("" without a store). Durations from the spec are printed as Go prints them
// ("300s" → "5m0s"), quantities in bytes. Errors name the field that does not
// parse, e.g. `spec.etcd.quota: quantities must match ...`.
util::Expected<std::vector<std::string>, std::string> backup_restore_args(
    const api::Etcd& etcd, const std::string& provider);

// Whether druid creates the Etcd's runtime components (client Service, member
// and snapshot leases, ...); the annotation
// druid.gardener.cloud/disable-etcd-runtime-component-creation turns them off.
bool runtime_components_enabled(const api::Etcd& etcd);

}  // namespace druid::component
