#include "api/labels.hpp"

#include <algorithm>

#include "api/names.hpp"

namespace druid::api {

namespace {

util::Labels default_labels_for(std::string_view part_of) {
  return {{kManagedByLabelKey, kManagedByValue}, {kPartOfLabelKey, std::string(part_of)}};
}

util::Labels with_component(util::Labels labels, std::string_view component) {
  labels[kComponentLabelKey] = std::string(component);
  return labels;
}

util::Labels component_labels(const Etcd& etcd, std::string_view component, std::string_view name) {
  util::Labels labels = with_component(default_labels(etcd), component);
  labels[kNameLabelKey] = std::string(name);
  return labels;
}

// Label values may not contain ':', which RBAC names do.
std::string without_colons(std::string name) {
  std::replace(name.begin(), name.end(), ':', '-');
  return name;
}

}  // namespace

util::Labels default_labels(const Etcd& etcd) {
  return default_labels_for(etcd.metadata.name);
}

std::string managed_by_selector() {
  std::string selector = kManagedByLabelKey;
  selector += '=';
  selector += kManagedByValue;
  return selector;
}

std::string status_selector(const Etcd& etcd) {
  std::string selector;
  for (const auto& [key, value] : default_labels(etcd)) {  // std::map: keys sorted
    if (!selector.empty()) selector += ',';
    selector += key + "=" + value;
  }
  return selector;
}

util::Labels service_account_labels(const Etcd& etcd) {
  return component_labels(etcd, component_label::kServiceAccount, service_account_name(etcd));
}

util::Labels role_labels(const Etcd& etcd) {
  return component_labels(etcd, component_label::kRole, without_colons(role_name(etcd)));
}

util::Labels role_binding_labels(const Etcd& etcd) {
  return component_labels(etcd, component_label::kRoleBinding,
                          without_colons(role_binding_name(etcd)));
}

util::Labels member_lease_labels(const Etcd& etcd, std::string_view lease_name) {
  return component_labels(etcd, component_label::kMemberLease, lease_name);
}

util::Labels snapshot_lease_labels(const Etcd& etcd, std::string_view lease_name) {
  return component_labels(etcd, component_label::kSnapshotLease, lease_name);
}

util::Labels pod_disruption_budget_labels(const Etcd& etcd) {
  return component_labels(etcd, component_label::kPodDisruptionBudget,
                          pod_disruption_budget_name(etcd));
}

util::Labels client_service_labels(const Etcd& etcd) {
  util::Labels labels =
      component_labels(etcd, component_label::kClientService, client_service_name(etcd));
  if (const auto& service = etcd.spec.etcd.client_service) {
    for (const auto& [key, value] : service->labels) labels[key] = value;
  }
  return labels;
}

util::Labels peer_service_labels(const Etcd& etcd) {
  return component_labels(etcd, component_label::kPeerService, peer_service_name(etcd));
}

util::Labels configmap_labels(const Etcd& etcd) {
  return component_labels(etcd, component_label::kConfigMap, configmap_name(etcd));
}

util::Labels statefulset_labels(const Etcd& etcd) {
  return component_labels(etcd, component_label::kStatefulSet, statefulset_name(etcd));
}

util::Labels compaction_job_labels(const Etcd& etcd) {
  util::Labels labels =
      component_labels(etcd, component_label::kCompactionJob, compaction_job_name(etcd));
  labels[kNetworkingToDnsLabelKey] = kNetworkingAllowedValue;
  labels[kNetworkingToPrivateNetworksLabelKey] = kNetworkingAllowedValue;
  labels[kNetworkingToPublicNetworksLabelKey] = kNetworkingAllowedValue;
  return labels;
}

util::Labels copy_backups_job_labels(std::string_view task_name) {
  util::Labels labels =
      with_component(default_labels_for(task_name), component_label::kCopyBackupsJob);
  labels[kNameLabelKey] = copy_backups_job_name(task_name);
  return labels;
}

util::Labels etcd_pod_selector_labels(const Etcd& etcd) {
  return with_component(default_labels(etcd), component_label::kStatefulSet);
}

util::Labels member_lease_selector_labels(const Etcd& etcd) {
  return with_component(default_labels(etcd), component_label::kMemberLease);
}

util::Labels snapshot_lease_selector_labels(const Etcd& etcd) {
  return with_component(default_labels(etcd), component_label::kSnapshotLease);
}

}  // namespace druid::api
