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

namespace {

nlohmann::json pod_disruption_budget_selector(const api::Etcd& etcd) {
  // The default labels, as upstream's poddisruptionbudget.go, so that member pods created without
  // a component label (older druid versions) still count; unlike upstream, the pods of the
  // compaction and copy-backups Jobs, which carry the default labels too, never do
  // (docs/compatibility.md).
  const nlohmann::json not_a_job = {
      {"key", api::kComponentLabelKey},
      {"operator", "NotIn"},
      {"values", nlohmann::json::array({api::component_label::kCompactionJob,
                                        api::component_label::kCopyBackupsJob})}};
  return {{"matchLabels", api::default_labels(etcd)},
          {"matchExpressions", nlohmann::json::array({not_a_job})}};
}

}  // namespace

nlohmann::json build_pod_disruption_budget(const api::Etcd& etcd) {
  nlohmann::json eviction_policy = nullptr;
  if (api::is_unhealthy_pod_eviction_allowed(etcd.metadata)) eviction_policy = "AlwaysAllow";
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", managed_metadata(etcd, api::pod_disruption_budget_name(etcd),
                                        api::pod_disruption_budget_labels(etcd))},
          {"spec",
           {{"minAvailable", pod_disruption_budget_min_available(etcd)},
            {"selector", pod_disruption_budget_selector(etcd)},
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
