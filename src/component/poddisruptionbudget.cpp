#include "component/poddisruptionbudget.hpp"

#include "api/annotations.hpp"
#include "api/codec.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "component/single_object_component.hpp"
#include "kube/resource.hpp"

namespace druid::component {

std::int32_t pod_disruption_budget_min_available(const api::Etcd& etcd) {
  const std::int32_t replicas = etcd.spec.replicas;
  return replicas <= 1 ? 0 : replicas / 2 + 1;
}

nlohmann::json build_pod_disruption_budget(const api::Etcd& etcd) {
  nlohmann::json eviction_policy = nullptr;
  if (api::is_unhealthy_pod_eviction_allowed(etcd.metadata)) eviction_policy = "AlwaysAllow";
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", managed_metadata(etcd, api::pod_disruption_budget_name(etcd),
                                        api::pod_disruption_budget_labels(etcd))},
          {"spec",
           {{"minAvailable", pod_disruption_budget_min_available(etcd)},
            // The default labels only (as upstream's poddisruptionbudget.go), unlike the Services,
            // which also select on the StatefulSet component label.
            {"selector", {{"matchLabels", api::default_labels(etcd)}}},
            {"unhealthyPodEvictionPolicy", eviction_policy}}}};
}

ComponentPtr make_pod_disruption_budget_component() {
  return std::make_unique<SingleObjectComponent>(SingleObjectDefinition{
      .kind = "PodDisruptionBudget",
      .type = kube::resources::kPodDisruptionBudgets,
      .name = api::pod_disruption_budget_name,
      .build = [](const Context& ctx) { return build_pod_disruption_budget(ctx.etcd); },
      .get_error = error_code::kGetPodDisruptionBudget,
      .sync_error = error_code::kSyncPodDisruptionBudget,
      .delete_error = error_code::kDeletePodDisruptionBudget,
      .description = "pod disruption budget",
  });
}

}  // namespace druid::component
