#include "component/rolebinding.hpp"

#include "api/codec.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "component/single_object_component.hpp"
#include "kube/resource.hpp"

namespace druid::component {

nlohmann::json build_role_binding(const api::Etcd& etcd) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "RoleBinding"},
          {"metadata",
           managed_metadata(etcd, api::role_binding_name(etcd), api::role_binding_labels(etcd))},
          {"roleRef",
           {{"apiGroup", "rbac.authorization.k8s.io"},
            {"kind", "Role"},
            {"name", api::role_name(etcd)}}},
          {"subjects", nlohmann::json::array({{{"kind", "ServiceAccount"},
                                               {"name", api::service_account_name(etcd)},
                                               {"namespace", etcd.metadata.namespace_}}})}};
}

// roleRef is immutable; it is derived from the Etcd name alone, so an existing
// binding of this name always has the same one and a patch never touches it.
ComponentPtr make_role_binding_component() {
  return std::make_unique<SingleObjectComponent>(SingleObjectDefinition{
      .kind = "RoleBinding",
      .type = kube::resources::kRoleBindings,
      .name = api::role_binding_name,
      .build = [](const Context& ctx) { return build_role_binding(ctx.etcd); },
      .get_error = error_code::kGetRoleBinding,
      .sync_error = error_code::kSyncRoleBinding,
      .delete_error = error_code::kDeleteRoleBinding,
      .description = "role binding",
  });
}

}  // namespace druid::component
