#include "component/role.hpp"

#include "api/codec.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "component/single_object_component.hpp"
#include "kube/resource.hpp"

namespace druid::component {

namespace {

nlohmann::json policy_rule(const char* api_group, const char* resource,
                           std::initializer_list<const char*> verbs) {
  return {{"apiGroups", nlohmann::json::array({api_group})},
          {"resources", nlohmann::json::array({resource})},
          {"verbs", verbs}};
}

}  // namespace

nlohmann::json build_role(const api::Etcd& etcd) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "Role"},
          {"metadata", managed_metadata(etcd, api::role_name(etcd), api::role_labels(etcd))},
          {"rules",
           nlohmann::json::array({
               policy_rule("coordination.k8s.io", "leases",
                           {"get", "list", "patch", "update", "watch"}),
               policy_rule("apps", "statefulsets", {"get", "list", "patch", "update", "watch"}),
               policy_rule("", "pods", {"get", "list", "watch"}),
           })}};
}

ComponentPtr make_role_component() {
  return std::make_unique<SingleObjectComponent>(SingleObjectDefinition{
      .kind = "Role",
      .type = kube::resources::kRoles,
      .name = api::role_name,
      .build = [](const Context& ctx) { return build_role(ctx.etcd); },
      .get_error = error_code::kGetRole,
      .sync_error = error_code::kSyncRole,
      .delete_error = error_code::kDeleteRole,
      .description = "role",
  });
}

}  // namespace druid::component
