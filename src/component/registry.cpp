#include "component/registry.hpp"

#include "api/annotations.hpp"

namespace druid::component {
namespace {

bool is_config_or_statefulset(const Component& component) {
  return component.kind() == "ConfigMap" || component.kind() == "StatefulSet";
}

}  // namespace

Registry::Registry() {
  components_.push_back(make_service_account_component());
  components_.push_back(make_role_component());
  components_.push_back(make_role_binding_component());
  components_.push_back(make_member_lease_component());
  components_.push_back(make_snapshot_lease_component());
  components_.push_back(make_pod_disruption_budget_component());
  components_.push_back(make_client_service_component());
  components_.push_back(make_peer_service_component());
  components_.push_back(make_configmap_component());
  components_.push_back(make_statefulset_component());
}

std::vector<Component*> Registry::for_sync(const api::Etcd& etcd) const {
  const bool runtime_disabled = api::is_runtime_component_creation_disabled(etcd.metadata);
  std::vector<Component*> selected;
  for (const auto& component : components_) {
    if (!runtime_disabled || is_config_or_statefulset(*component)) {
      selected.push_back(component.get());
    }
  }
  return selected;
}

std::vector<Component*> Registry::runtime_components() const {
  std::vector<Component*> selected;
  for (const auto& component : components_) {
    if (!is_config_or_statefulset(*component)) selected.push_back(component.get());
  }
  return selected;
}

Component* Registry::by_kind(std::string_view kind) const {
  for (const auto& component : components_) {
    if (component->kind() == kind) return component.get();
  }
  return nullptr;
}

}  // namespace druid::component
