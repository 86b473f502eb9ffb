#pragma once
// The Etcd components in sync order (getOrderedOperatorsForSync in upstream's
// internal/controller/etcd/reconcile_spec.go). Adding a component
// is one new file and one line here.

#include <vector>

#include "component/component.hpp"

namespace druid::component {

ComponentPtr make_service_account_component();
ComponentPtr make_role_component();
ComponentPtr make_role_binding_component();
ComponentPtr make_member_lease_component();
ComponentPtr make_snapshot_lease_component();
ComponentPtr make_pod_disruption_budget_component();
ComponentPtr make_client_service_component();
ComponentPtr make_peer_service_component();
ComponentPtr make_configmap_component();
ComponentPtr make_statefulset_component();

class Registry {
 public:
  Registry();

  // All ten, in sync order: ServiceAccount, Role, RoleBinding, MemberLease,
  // SnapshotLease, PodDisruptionBudget, ClientService, PeerService, ConfigMap,
  // StatefulSet.
  const std::vector<ComponentPtr>& all() const { return components_; }
  // What a spec reconcile syncs: all, or only ConfigMap and StatefulSet when
  // runtime-component creation is disabled on the Etcd.
  std::vector<Component*> for_sync(const api::Etcd& etcd) const;
  // What the cleanup after such a sync deletes: the other eight.
  std::vector<Component*> runtime_components() const;
  Component* by_kind(std::string_view kind) const;

 private:
  std::vector<ComponentPtr> components_;
};

}  // namespace druid::component
