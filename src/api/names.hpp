#pragma once
// Names of everything druid creates for an Etcd (upstream's api/core/v1alpha1/helper.go), all
// in the Etcd's namespace, and the owner reference that ties them to it (GetAsOwnerReference
// there).
// Components, controllers and the webhook must agree on these names, so they
// are spelled in one place.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/etcd.hpp"
#include "api/object_meta.hpp"

namespace druid::api {

// Key of the etcd configuration inside the ConfigMap `<etcd>-config`.
inline constexpr const char* kEtcdConfigFileName = "etcd.conf.yaml";

// Name prefixes of the EtcdOpsTasks the StatefulSet PreSync creates (upstream's
// internal/component/statefulset/statefulset.go).
inline constexpr const char* kPresyncHibernationSnapshotTaskPrefix =
    "presync-snapshot-hibernation-";
inline constexpr const char* kPresyncUpgradeSnapshotTaskPrefix = "presync-snapshot-upgrade-";

std::string statefulset_name(const Etcd& etcd);

// `<etcd>-<ordinal>`.
std::string pod_name(std::string_view etcd_name, int ordinal);
std::string pod_name(const Etcd& etcd, int ordinal);
// Pods for ordinals 0..spec.replicas-1 (none for 0 replicas).
std::vector<std::string> pod_names(const Etcd& etcd);

// The etcd member name of the pod: `<prefix>-<pod>` with a non-empty
// memberNamePrefix, else the pod name. Member leases carry the same name.
std::string member_name_for_pod(const std::optional<std::string>& member_name_prefix,
                                std::string_view pod_name);
std::string member_name(const Etcd& etcd, int ordinal);
std::string member_lease_name(const Etcd& etcd, int ordinal);
// Member leases for ordinals 0..spec.replicas-1 (none for 0 replicas).
std::vector<std::string> member_lease_names(const Etcd& etcd);
// Inverse of member_name_for_pod: strips `<prefix>-` when the lease carries it.
std::string pod_name_from_member_lease_name(std::string_view lease_name,
                                            const std::optional<std::string>& member_name_prefix);

std::string service_account_name(const Etcd& etcd);
// `druid.gardener.cloud:etcd:<etcd>` (Role and RoleBinding share it).
std::string role_name(const Etcd& etcd);
std::string role_binding_name(const Etcd& etcd);

std::string client_service_name(const Etcd& etcd);
std::string peer_service_name(const Etcd& etcd);
std::string configmap_name(const Etcd& etcd);
std::string pod_disruption_budget_name(const Etcd& etcd);

// The compaction controller sees snapshot leases and jobs before it has the
// Etcd, so these also take the bare Etcd name.
std::string full_snapshot_lease_name(std::string_view etcd_name);
std::string full_snapshot_lease_name(const Etcd& etcd);
std::string delta_snapshot_lease_name(std::string_view etcd_name);
std::string delta_snapshot_lease_name(const Etcd& etcd);
std::string compaction_job_name(std::string_view etcd_name);
std::string compaction_job_name(const Etcd& etcd);

// spec.volumeClaimTemplate, or the Etcd name when unset or empty (an empty
// template name could never produce a valid StatefulSet).
std::string volume_claim_template_name(const Etcd& etcd);
// PVCs the StatefulSet controller creates: `<vct>-<etcd>-<ordinal>`.
std::string persistent_volume_claim_name(const Etcd& etcd, int ordinal);
std::vector<std::string> persistent_volume_claim_names(const Etcd& etcd);

// `<etcd>-<prefix><index>`, e.g. `etcd-main-presync-snapshot-hibernation-0`. Upstream's names
// lack the Etcd's, so two Etcds hibernating in one namespace shared a task (and the second
// went ahead on the first one's snapshot).
std::string presync_snapshot_task_name(std::string_view etcd_name, std::string_view prefix,
                                       int index);
// The index of a task named `<etcd>-<prefix><digits>`; nullopt for any other name.
std::optional<int> presync_snapshot_task_index(std::string_view task_name,
                                               std::string_view etcd_name, std::string_view prefix);

// The EtcdCopyBackupsTask's job: `<task>-worker`.
std::string copy_backups_job_name(std::string_view task_name);

// The controller owner reference every component carries (GetAsOwnerReference).
OwnerReference etcd_owner_reference(const Etcd& etcd);

}  // namespace druid::api
