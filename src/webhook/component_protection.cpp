#include "webhook/component_protection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "api/annotations.hpp"
#include "api/etcd.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "util/text.hpp"
#include "webhook/request_target.hpp"

namespace druid::webhook {
namespace {

using nlohmann::json;

bool is_runtime_component(const GroupVersionKind& kind) {
  // Kinds druid does not create when an Etcd disables runtime component creation.
  static constexpr std::array<std::array<const char*, 2>, 6> kKinds{{
      {"", "ServiceAccount"},
      {"rbac.authorization.k8s.io", "Role"},
      {"rbac.authorization.k8s.io", "RoleBinding"},
      {"coordination.k8s.io", "Lease"},
      {"policy", "PodDisruptionBudget"},
      {"", "Service"},
  }};
  return std::any_of(kKinds.begin(), kKinds.end(),
                     [&](const auto& gk) { return kind.group == gk[0] && kind.kind == gk[1]; });
}

bool is_exempt(const std::string& username, const ProtectionConfig& config) {
  const auto& exempt = config.exempt_service_accounts;
  return std::find(exempt.begin(), exempt.end(), username) != exempt.end();
}

bool is_managed_by_druid(const TargetMeta& meta) {
  const auto it = meta.labels.find(api::kManagedByLabelKey);
  return it != meta.labels.end() && it->second == api::kManagedByValue;
}

// Leading and trailing blanks do not make another user (upstream trims them).
// A DELETE while the Etcd itself is being deleted: only druid and exempt accounts.
Decision judge_delete_during_deletion(const AdmissionRequest& request, const api::Etcd& etcd,
                                      const ProtectionConfig& config) {
  const std::string& user = request.username;
  const std::string& etcd_name = etcd.metadata.name;
  if (user == config.reconciler_service_account) {
    return Decision::allow(fmt::format(
        "deletion of resource by etcd-druid is allowed during deletion of Etcd {}", etcd_name));
  }
  if (is_exempt(user, config)) {
    return Decision::allow(
        fmt::format("deletion of resource by exempt SA {} is allowed during deletion of Etcd {}",
                    user, etcd_name));
  }
  return Decision::deny(fmt::format(
      "no external intervention allowed during ongoing deletion of Etcd {} by etcd-druid",
      etcd_name));
}

Decision judge_change(const AdmissionRequest& request, const api::Etcd& etcd,
                      const TargetMeta& target, const ProtectionConfig& config) {
  const std::string& user = request.username;
  if (user == config.reconciler_service_account) {
    return Decision::allow("update of managed resources by etcd-druid is allowed");
  }
  // Etcd members renew their member and snapshot leases with the Etcd's own account.
  if (request.kind.group == "coordination.k8s.io" && request.kind.kind == "Lease" &&
      util::trim_go_space(user) ==
          service_account_username(etcd.metadata.namespace_, api::service_account_name(etcd))) {
    return Decision::allow("lease resource can be freely updated by etcd members");
  }
  if (is_exempt(user, config)) {
    if (!api::is_reconciliation_in_progress(etcd)) {
      return Decision::allow(
          fmt::format("operations on resources by exempt service account {} are allowed", user));
    }
    // E.g. the garbage collector finishing an orphan-deleted StatefulSet.
    if (target.being_deleted) {
      return Decision::allow(
          fmt::format("deletion of resource by exempt service account {} is allowed during ongoing "
                      "reconciliation of Etcd {}, since deletion timestamp is set on the resource",
                      user, etcd.metadata.name));
    }
  }
  return Decision::deny(fmt::format(
      "changes from service account {} are disallowed at the moment. Please consider disabling "
      "component protection by setting annotation `{}` on the parent Etcd resource",
      user, api::kDisableEtcdComponentProtectionAnnotation));
}

}  // namespace

std::string service_account_username(const std::string& ns, const std::string& name) {
  return fmt::format("system:serviceaccount:{}:{}", ns, name);
}

util::Expected<ProtectionConfig, std::string> protection_config(
    const api::EtcdComponentProtectionWebhookConfiguration& config) {
  ProtectionConfig out;
  out.exempt_service_accounts = config.exempt_service_accounts;
  if (config.service_account_info) {
    out.reconciler_service_account = service_account_username(
        config.service_account_info->namespace_, config.service_account_info->name);
  } else if (config.reconciler_service_account_fqdn) {
    out.reconciler_service_account = *config.reconciler_service_account_fqdn;
  } else {
    return util::unexpected(
        std::string("no reconciler service account FQDN or service account info provided"));
  }
  return out;
}

Decision decide(const AdmissionRequest& request, ComponentLookup& lookup,
                const ProtectionConfig& config) {
  if (request.operation == kOperationCreate || request.operation == kOperationConnect) {
    return Decision::allow(fmt::format("operation {} is allowed", request.operation));
  }

  auto resolved = resolve_target(request, lookup);
  if (!resolved) return Decision::errored(resolved.error().code, resolved.error().message);
  if (!resolved->has_value()) {
    return Decision::allow(fmt::format("resource: {} is not supported by EtcdComponents webhook",
                                       group_kind_string(request.kind)));
  }
  const TargetMeta& target = **resolved;
  const std::string key = object_key(target);

  if (!is_managed_by_druid(target)) {
    return Decision::allow(
        fmt::format("resource: {} is not managed by druid, skipping validations", key));
  }

  // (The double space after the key is upstream's message, kept as clients see it.)
  const auto not_part_of_etcd = [&](std::string warning) {
    return Decision::allow(
        fmt::format("resource: {}  is not part of any Etcd, skipping validations", key),
        {std::move(warning)});
  };
  const auto part_of = target.labels.find(api::kPartOfLabelKey);
  if (part_of == target.labels.end()) {
    return not_part_of_etcd(
        fmt::format("cannot determine parent etcd resource, label {} not found on resource: {}",
                    api::kPartOfLabelKey, key));
  }
  const std::string& etcd_name = part_of->second;
  auto etcd_json = lookup.get_etcd(target.namespace_, etcd_name);
  if (!etcd_json) return Decision::errored(500, etcd_json.error());
  if (!etcd_json->has_value()) {
    return not_part_of_etcd(
        fmt::format("parent Etcd {} not found for resource: {}", etcd_name, key));
  }
  auto etcd = api::decode_etcd(**etcd_json);
  if (!etcd) {
    return Decision::errored(500, fmt::format("Etcd {}/{} does not decode: {}", target.namespace_,
                                              etcd_name, api::to_string(etcd.error())));
  }

  if (api::is_component_protection_disabled(etcd->metadata)) {
    return Decision::allow(fmt::format("changes allowed, since Etcd {} has annotation {}",
                                       etcd->metadata.name,
                                       api::kDisableEtcdComponentProtectionAnnotation));
  }
  if (is_runtime_component(request.kind) &&
      api::is_runtime_component_creation_disabled(etcd->metadata)) {
    return Decision::allow(fmt::format(
        "Etcd {} has runtime component creation disabled, skipping validations for resource {}",
        etcd->metadata.name, key));
  }
  if (request.operation == kOperationDelete && api::is_deletion_in_progress(*etcd)) {
    return judge_delete_during_deletion(request, *etcd, config);
  }
  return judge_change(request, *etcd, target, config);
}

}  // namespace druid::webhook
