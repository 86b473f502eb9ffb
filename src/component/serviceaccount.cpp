#include "component/serviceaccount.hpp"

#include "api/codec.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "component/single_object_component.hpp"
#include "kube/resource.hpp"

namespace druid::component {

nlohmann::json build_service_account(const api::Etcd& etcd, const OperatorSettings& settings) {
  return {{"apiVersion", "v1"},
          {"kind", "ServiceAccount"},
          {"metadata", managed_metadata(etcd, api::service_account_name(etcd),
                                        api::service_account_labels(etcd))},
          {"automountServiceAccountToken", !settings.disable_etcd_service_account_automount}};
}

ComponentPtr make_service_account_component() {
  return std::make_unique<SingleObjectComponent>(SingleObjectDefinition{
      .kind = "ServiceAccount",
      .type = kube::resources::kServiceAccounts,
      .name = api::service_account_name,
      .build = [](const Context& ctx) { return build_service_account(ctx.etcd, ctx.settings); },
      .get_error = error_code::kGetServiceAccount,
      .sync_error = error_code::kSyncServiceAccount,
      .delete_error = error_code::kDeleteServiceAccount,
      .description = "service account",
  });
}

}  // namespace druid::component
