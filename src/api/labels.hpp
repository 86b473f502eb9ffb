#pragma once
// The labels druid puts on what it manages (upstream's api/core/v1alpha1/constants.go,
// GetDefaultLabels in api/core/v1alpha1/helper.go, and each internal/component/). Every
// component carries the default labels {managed-by, part-of} plus its own
// `app.kubernetes.io/component` and `app.kubernetes.io/name`; druid owns these
// maps entirely, so the functions return the complete set for each component.

#include <string>
#include <string_view>

#include "api/etcd.hpp"
#include "api/label_selector.hpp"

namespace druid::api {

inline constexpr const char* kNameLabelKey = "app.kubernetes.io/name";
inline constexpr const char* kManagedByLabelKey = "app.kubernetes.io/managed-by";
inline constexpr const char* kPartOfLabelKey = "app.kubernetes.io/part-of";
inline constexpr const char* kComponentLabelKey = "app.kubernetes.io/component";
inline constexpr const char* kManagedByValue = "etcd-druid";

// Values of `app.kubernetes.io/component`, one per managed component (upstream's
// internal/common/constants.go).
namespace component_label {
inline constexpr const char* kServiceAccount = "etcd-service-account";
inline constexpr const char* kRole = "etcd-role";
inline constexpr const char* kRoleBinding = "etcd-role-binding";
inline constexpr const char* kMemberLease = "etcd-member-lease";
inline constexpr const char* kSnapshotLease = "etcd-snapshot-lease";
inline constexpr const char* kPodDisruptionBudget = "etcd-pdb";
inline constexpr const char* kClientService = "etcd-client-service";
inline constexpr const char* kPeerService = "etcd-peer-service";
inline constexpr const char* kConfigMap = "etcd-configmap";
inline constexpr const char* kStatefulSet = "etcd-statefulset";
inline constexpr const char* kCompactionJob = "etcd-snapshot-compaction-job";
inline constexpr const char* kCopyBackupsJob = "etcd-copy-backups-job";
}  // namespace component_label

// Network-policy labels of the compaction job (upstream's
// internal/controller/compaction/reconciler.go), each with value "allowed".
inline constexpr const char* kNetworkingToDnsLabelKey = "networking.gardener.cloud/to-dns";
inline constexpr const char* kNetworkingToPrivateNetworksLabelKey =
    "networking.gardener.cloud/to-private-networks";
inline constexpr const char* kNetworkingToPublicNetworksLabelKey =
    "networking.gardener.cloud/to-public-networks";
inline constexpr const char* kNetworkingAllowedValue = "allowed";

// `app.kubernetes.io/managed-by=etcd-druid`: what the operator's informers
// watch, so they cache nothing else of the cluster.
std::string managed_by_selector();
// {managed-by: etcd-druid, part-of: <etcd>}; also the StatefulSet and PDB selector.
util::Labels default_labels(const Etcd& etcd);
// status.selector: `app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=<etcd>`.
std::string status_selector(const Etcd& etcd);

util::Labels service_account_labels(const Etcd& etcd);
// name label: the role name with ':' replaced by '-' (`druid.gardener.cloud-etcd-<etcd>`).
util::Labels role_labels(const Etcd& etcd);
util::Labels role_binding_labels(const Etcd& etcd);
util::Labels member_lease_labels(const Etcd& etcd, std::string_view lease_name);
util::Labels snapshot_lease_labels(const Etcd& etcd, std::string_view lease_name);
util::Labels pod_disruption_budget_labels(const Etcd& etcd);
// Includes spec.etcd.clientService.labels, which win over druid's on conflict.
util::Labels client_service_labels(const Etcd& etcd);
util::Labels peer_service_labels(const Etcd& etcd);
util::Labels configmap_labels(const Etcd& etcd);
util::Labels statefulset_labels(const Etcd& etcd);
// Includes the three networking labels.
util::Labels compaction_job_labels(const Etcd& etcd);
// part-of is the task name, not an Etcd's.
util::Labels copy_backups_job_labels(std::string_view task_name);

// What the client and peer Services select: default labels + the StatefulSet
// component label, so compaction-job pods are never selected.
util::Labels etcd_pod_selector_labels(const Etcd& etcd);
// What lease listing and DeleteAllOf select on: default labels + component.
util::Labels member_lease_selector_labels(const Etcd& etcd);
util::Labels snapshot_lease_selector_labels(const Etcd& etcd);

}  // namespace druid::api
