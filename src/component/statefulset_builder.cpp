#include "component/statefulset_builder.hpp"

#include <fmt/format.h>

#include "api/annotations.hpp"
#include "api/codec.hpp"
#include "api/defaults.hpp"
#include "api/label_selector.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "api/quantity.hpp"
#include "component/component.hpp"
#include "component/statefulset_args.hpp"
#include "component/statefulset_backup_store.hpp"
#include "component/statefulset_pod_names.hpp"
#include "component/statefulset_volumes.hpp"

namespace druid::component {
namespace {

using nlohmann::json;
using util::Expected;

// Quantities of a ResourceRequirements in the canonical form a Go client
// sends ("1000m" → "1"); other keys (claims) pass through.
Expected<json, std::string> canonical_resources(json resources, const char* field) {
  for (const char* key : {"requests", "limits"}) {
    auto list = resources.find(key);
    if (list == resources.end() || !list->is_object()) continue;
    for (auto& [name, value] : list->items()) {
      api::IntOrString written;
      if (value.is_number_integer()) {
        written = value.get<std::int64_t>();
      } else if (value.is_string()) {
        written = value.get<std::string>();
      } else {
        continue;  // not ours to judge; the API server will
      }
      auto quantity = api::parse_quantity(written);
      if (!quantity) {
        return util::unexpected(
            fmt::format("{}.{}.{}: {}", field, key, name, quantity.error().reason));
      }
      value = quantity->to_string();
    }
  }
  return resources;
}

// spec.labels under the StatefulSet's own labels (druid's keys win). An
// existing StatefulSet whose selector would not select these keeps its old
// template labels on top, since its selector cannot change (statefulset.cpp handles
// that by orphan-deleting it).
Expected<util::Labels, std::string> pod_template_labels(const api::Etcd& etcd,
                                                        const json* existing) {
  util::Labels labels = etcd.spec.labels;
  for (auto& [key, value] : api::statefulset_labels(etcd)) labels[key] = value;
  if (existing == nullptr || !existing->is_object()) return labels;
  const auto selector_json = existing->value(json::json_pointer("/spec/selector"), json());
  if (!selector_json.is_object()) return labels;  // no selector selects everything
  api::LabelSelector selector;
  if (auto errors = api::decode_into(selector_json, selector); !errors.empty()) {
    return util::unexpected(
        fmt::format("existing StatefulSet {}/{} has an unreadable spec.selector",
                    etcd.metadata.namespace_, etcd.metadata.name));
  }
  auto parsed = api::to_selector(selector);
  if (!parsed) {
    return util::unexpected(
        fmt::format("existing StatefulSet {}/{} has an invalid spec.selector: {}",
                    etcd.metadata.namespace_, etcd.metadata.name, parsed.error().reason));
  }
  if (parsed->matches(labels)) return labels;
  const auto old_labels =
      existing->value(json::json_pointer("/spec/template/metadata/labels"), json::object());
  if (old_labels.is_object()) {
    for (const auto& [key, value] : old_labels.items()) {
      if (value.is_string()) labels[key] = value.get<std::string>();
    }
  }
  return labels;
}

json pod_template_annotations(const api::Etcd& etcd, const StatefulSetInputs& inputs) {
  util::Labels annotations = etcd.spec.annotations;
  if (!inputs.configmap_checksum.empty()) {
    annotations[api::kConfigMapChecksumAnnotation] = inputs.configmap_checksum;
  }
  return annotations;
}

json pod_security_context(const api::Etcd& etcd) {
  const auto user = api::effective::pod_user_id(etcd);
  const auto group = api::effective::pod_group_id(etcd);
  json context = {{"runAsUser", user},
                  {"runAsGroup", group},
                  {"fsGroup", group},
                  {"runAsNonRoot", !api::effective::runs_as_root(etcd)}};
  // Skip the recursive chown of the data volume on every start when its
  // ownership is already right (non-root pods only).
  if (!api::effective::runs_as_root(etcd)) context["fsGroupChangePolicy"] = "OnRootMismatch";
  return context;
}

json tcp_port(const char* name, std::int32_t port) {
  return {{"name", name}, {"containerPort", port}, {"protocol", "TCP"}};
}

json no_privilege_escalation() {
  return {{"allowPrivilegeEscalation", false}};
}

json etcd_readiness_probe(const api::Etcd& etcd) {
  // Deliberate difference from upstream, which picks HTTPS when backup TLS
  // (spec.backup.tls) is set: the probe talks to etcd-wrapper's own server on
  // the wrapper port, and the wrapper serves HTTPS exactly when *client* TLS
  // is configured (it reuses etcd's client certificate; test/localenv/README.md). With
  // upstream's rule a pod with client TLS but no backup TLS never gets ready,
  // and one with backup TLS but no client TLS neither. Clusters with both or
  // neither get exactly upstream's probe, so taking them over rolls nothing.
  const char* scheme = etcd.spec.etcd.client_url_tls ? "HTTPS" : "HTTP";
  return {{"httpGet",
           {{"path", "/readyz"}, {"port", api::effective::wrapper_port(etcd)}, {"scheme", scheme}}},
          {"initialDelaySeconds", 15},
          {"periodSeconds", 5},
          {"failureThreshold", 5}};
}

Expected<json, std::string> etcd_container(const api::Etcd& etcd, const StatefulSetInputs& inputs) {
  auto resources = canonical_resources(api::effective::etcd_resources(etcd), "spec.etcd.resources");
  if (!resources) return util::unexpected(resources.error());
  // No env: upstream's empty list is omitted on the wire.
  return json{
      {"name", pod::kEtcdContainer},
      {"image", inputs.images.etcd_wrapper},
      {"imagePullPolicy", "IfNotPresent"},
      {"args", etcd_wrapper_args(etcd)},
      {"ports", json::array({tcp_port(pod::kServerPortName, api::effective::server_port(etcd)),
                             tcp_port(pod::kClientPortName, api::effective::client_port(etcd))})},
      {"resources", *resources},
      {"securityContext", no_privilege_escalation()},
      {"readinessProbe", etcd_readiness_probe(etcd)},
      {"volumeMounts", etcd_volume_mounts(etcd)}};
}

Expected<json, std::string> backup_restore_container(const api::Etcd& etcd,
                                                     const StatefulSetInputs& inputs,
                                                     const std::string& provider) {
  auto env = backup_restore_env(etcd, provider);
  if (!env) return util::unexpected(env.error());
  auto args = backup_restore_args(etcd, provider);
  if (!args) return util::unexpected(args.error());
  auto resources =
      canonical_resources(api::effective::backup_resources(etcd), "spec.backup.resources");
  if (!resources) return util::unexpected(resources.error());
  return json{
      {"name", pod::kBackupRestoreContainer},
      {"image", inputs.images.etcd_backup_restore},
      {"imagePullPolicy", "IfNotPresent"},
      {"args", *args},
      {"ports", json::array({tcp_port(pod::kServerPortName, api::effective::backup_port(etcd))})},
      {"env", *env},
      {"resources", *resources},
      {"securityContext", no_privilege_escalation()},
      {"volumeMounts", backup_restore_volume_mounts(etcd, provider)}};
}

Expected<json, std::string> pod_spec(const api::Etcd& etcd, const StatefulSetInputs& inputs,
                                     const std::string& provider) {
  auto etcd_main = etcd_container(etcd, inputs);
  if (!etcd_main) return util::unexpected(etcd_main.error());
  auto backup_restore = backup_restore_container(etcd, inputs, provider);
  if (!backup_restore) return util::unexpected(backup_restore.error());

  json spec = {
      {"hostAliases", json::array({{{"ip", "127.0.0.1"},
                                    {"hostnames", json::array({etcd.metadata.name + "-local"})}}})},
      {"shareProcessNamespace", true},
      {"containers", json::array({*etcd_main, *backup_restore})},
      {"securityContext", pod_security_context(etcd)},
      {"volumes",
       pod_volumes(etcd, provider,
                   inputs.local_backup_host_path.value_or(pod::kDefaultLocalBackupHostPath))}};
  // Optional fields are null when unset, so removing one from the Etcd
  // removes it from an existing StatefulSet (create_or_patch: null = absent).
  for (const char* optional : {"serviceAccountName", "initContainers", "affinity",
                               "topologySpreadConstraints", "priorityClassName"}) {
    spec[optional] = nullptr;
  }
  // The ServiceAccount exists only when druid creates runtime components.
  if (runtime_components_enabled(etcd))
    spec["serviceAccountName"] = api::service_account_name(etcd);
  if (auto init =
          change_backup_bucket_permissions_container(etcd, provider, inputs.images.alpine)) {
    spec["initContainers"] = json::array({*init});
  }
  if (const auto& scheduling = etcd.spec.scheduling_constraints) {
    if (scheduling->affinity) spec["affinity"] = *scheduling->affinity;
    if (!scheduling->topology_spread_constraints.empty()) {
      spec["topologySpreadConstraints"] = scheduling->topology_spread_constraints;
    }
  }
  if (auto priority = api::effective::priority_class_name(etcd); !priority.empty()) {
    spec["priorityClassName"] = priority;
  }
  return spec;
}

Expected<json, std::string> volume_claim_templates(const api::Etcd& etcd) {
  auto capacity = api::effective::storage_capacity(etcd);
  if (!capacity) return util::unexpected(capacity.error().reason);
  json spec = {{"accessModes", json::array({"ReadWriteOnce"})},
               {"resources", {{"requests", {{"storage", capacity->to_string()}}}}}};
  // An empty class name would mean "no class"; unset means the default one.
  if (const auto& storage_class = etcd.spec.storage_class;
      storage_class && !storage_class->empty()) {
    spec["storageClassName"] = *storage_class;
  }
  return json::array(
      {{{"metadata", {{"name", api::volume_claim_template_name(etcd)}}}, {"spec", spec}}});
}

// Kubernetes defaults `rollingUpdate` under RollingUpdate and rejects it next
// to OnDelete, so OnDelete asks for its removal (null: absent).
json update_strategy(bool on_delete) {
  if (on_delete) return {{"type", "OnDelete"}, {"rollingUpdate", nullptr}};
  return {{"type", "RollingUpdate"}};
}

Expected<json, std::string> pod_template(const api::Etcd& etcd, const StatefulSetInputs& inputs,
                                         const std::string& provider) {
  auto labels = pod_template_labels(etcd, inputs.existing);
  if (!labels) return util::unexpected(labels.error());
  auto spec = pod_spec(etcd, inputs, provider);
  if (!spec) return util::unexpected(spec.error());
  json metadata = {{"labels", *labels}};
  if (auto annotations = pod_template_annotations(etcd, inputs); !annotations.empty()) {
    metadata["annotations"] = std::move(annotations);
  }
  return json{{"metadata", std::move(metadata)}, {"spec", std::move(*spec)}};
}

}  // namespace

Expected<json, std::string> build_statefulset(const api::Etcd& etcd,
                                              const StatefulSetInputs& inputs) {
  auto provider = backup_store_provider(etcd);
  if (!provider) return util::unexpected(provider.error());
  auto claims = volume_claim_templates(etcd);
  if (!claims) return util::unexpected(claims.error());
  auto template_ = pod_template(etcd, inputs, *provider);
  if (!template_) return util::unexpected(template_.error());

  const bool runtime_enabled = runtime_components_enabled(etcd);
  json spec = {// Without runtime components (no peer Service, leases, ...) the pods
               // could not form a cluster, so none run.
               {"replicas", runtime_enabled ? inputs.replicas : 0},
               {"selector", {{"matchLabels", api::default_labels(etcd)}}},
               {"podManagementPolicy", "Parallel"},
               {"updateStrategy", update_strategy(inputs.on_delete_update_strategy)},
               {"volumeClaimTemplates", std::move(*claims)},
               {"template", std::move(*template_)}};
  if (runtime_enabled) spec["serviceName"] = api::peer_service_name(etcd);

  return json{{"apiVersion", "apps/v1"},
              {"kind", "StatefulSet"},
              {"metadata",
               managed_metadata(etcd, api::statefulset_name(etcd), api::statefulset_labels(etcd))},
              {"spec", std::move(spec)}};
}

}  // namespace druid::component
