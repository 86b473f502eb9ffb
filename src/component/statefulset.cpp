#include "component/statefulset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "api/annotations.hpp"
#include "api/image_vector.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "api/provider.hpp"
#include "component/component.hpp"
#include "component/configmap.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "component/single_object_component.hpp"
#include "component/statefulset_backup_store.hpp"
#include "component/statefulset_builder.hpp"
#include "component/statefulset_presync.hpp"
#include "component/statefulset_tls.hpp"
#include "kube/resource.hpp"
#include "util/base64.hpp"
#include "util/json_access.hpp"

namespace druid::component {

CreateOrPatchOptions statefulset_patch_options() {
  return CreateOrPatchOptions{{"/metadata/labels", "/spec/template/metadata/labels",
                               "/spec/template/metadata/annotations"}};
}

nlohmann::json without_forbidden_fields(nlohmann::json desired) {
  auto spec = desired.find("spec");
  if (spec == desired.end() || !spec->is_object()) return desired;
  for (const char* field : {"selector", "serviceName", "volumeClaimTemplates",
                            "podManagementPolicy", "updateStrategy"}) {
    spec->erase(field);
  }
  return desired;
}

bool has_default_selector(const api::Etcd& etcd, const nlohmann::json& statefulset) {
  const nlohmann::json::json_pointer pointer("/spec/selector/matchLabels");
  if (!statefulset.contains(pointer)) return false;
  return statefulset.at(pointer) == nlohmann::json(api::default_labels(etcd));
}

std::vector<const nlohmann::json*> member_leases_in_order(
    const api::Etcd& etcd, const std::vector<const nlohmann::json*>& leases) {
  std::vector<const nlohmann::json*> ordered;
  for (const auto& name : api::member_lease_names(etcd)) {
    const auto found = std::find_if(leases.begin(), leases.end(), [&](const nlohmann::json* lease) {
      return util::string_field(util::metadata_of(*lease), "name") == name &&
             util::is_controlled_by(*lease, etcd.metadata.uid);
    });
    if (found != leases.end()) ordered.push_back(*found);
  }
  return ordered;
}

namespace {

const util::ResourceType& kType = kube::resources::kStatefulSets;

std::string key(const api::Etcd& etcd, std::string_view name) {
  return fmt::format("{}/{}", etcd.metadata.namespace_, name);
}
std::string sts_key(const api::Etcd& etcd) {
  return key(etcd, api::statefulset_name(etcd));
}

DruidError sync_error(const Context& ctx, std::string message,
                      std::optional<kube::ApiError> cause = std::nullopt) {
  return druid_error(ctx.now, error_code::kSyncStatefulSet, Operation::kSync, std::move(message),
                     std::move(cause));
}

DruidError requeue(const Context& ctx, std::string message) {
  return druid_error(ctx.now, error_code::kRequeueAfter, Operation::kSync, std::move(message));
}

// With runtime-component creation disabled the cluster must not run.
std::int32_t effective_replicas(const api::Etcd& etcd, std::int32_t replicas) {
  return api::is_runtime_component_creation_disabled(etcd.metadata) ? 0 : replicas;
}

// checksum/etcd-configmap: handed over by the ConfigMap's sync, or computed
// from the ConfigMap when the StatefulSet syncs on its own.
DruidResult<std::string> pod_template_config_checksum(Context& ctx) {
  if (ctx.configmap_checksum) return *ctx.configmap_checksum;
  const auto& etcd = ctx.etcd;
  const std::string name = api::configmap_name(etcd);
  auto configmap = ctx.reader.get(kube::resources::kConfigMaps, etcd.metadata.namespace_, name);
  if (!configmap) {
    return util::unexpected(sync_error(
        ctx,
        fmt::format("Error getting ConfigMap: {} for the pod template checksum of etcd: {}",
                    key(etcd, name), etcd_key(etcd)),
        configmap.error()));
  }
  if (!*configmap) {
    return util::unexpected(sync_error(
        ctx, fmt::format("ConfigMap: {} not found; the pod template of etcd: {} needs its "
                         "checksum",
                         key(etcd, name), etcd_key(etcd))));
  }
  return configmap_checksum((*configmap)->value("data", nlohmann::json::object()));
}

// Secret(store.secretRef).data["hostPath"] for a Local store with a secret.
DruidResult<std::optional<std::string>> local_backup_host_path(Context& ctx) {
  const auto& etcd = ctx.etcd;
  if (!api::is_backup_store_enabled(etcd)) return std::optional<std::string>();
  const auto& store = *etcd.spec.backup.store;
  const auto provider = api::normalize_storage_provider(store.provider);
  if (!provider || *provider != api::storage_provider::kLocal || !store.secret_ref) {
    return std::optional<std::string>();
  }
  const std::string& name = store.secret_ref->name;
  auto secret = ctx.reader.get(kube::resources::kSecrets, etcd.metadata.namespace_, name);
  if (!secret) {
    return util::unexpected(
        sync_error(ctx,
                   fmt::format("Error getting backup store Secret: {} for etcd: {}",
                               key(etcd, name), etcd_key(etcd)),
                   secret.error()));
  }
  if (!*secret) {
    return util::unexpected(
        sync_error(ctx, fmt::format("backup store Secret: {} referenced by etcd: {} not found",
                                    key(etcd, name), etcd_key(etcd))));
  }
  auto host_path = local_host_path_of_secret(**secret);
  if (!host_path) {
    return util::unexpected(sync_error(
        ctx,
        fmt::format("backup store Secret: {} of etcd: {} has a hostPath that is not valid base64",
                    key(etcd, name), etcd_key(etcd))));
  }
  return std::move(*host_path);
}

// Everything the builder needs but the replicas and the existing object.
DruidResult<StatefulSetInputs> gather_inputs(Context& ctx) {
  StatefulSetInputs inputs;
  auto images = api::resolve_etcd_images(ctx.etcd, ctx.image_vector,
                                         ctx.settings.feature_gates.upgrade_etcd_version);
  if (!images) {
    return util::unexpected(
        druid_error(ctx.now, error_code::kGetEtcdWrapperImage, Operation::kSync, images.error()));
  }
  inputs.images = std::move(*images);
  inputs.on_delete_update_strategy = ctx.settings.feature_gates.quorum_aware_updates_with_on_delete;
  auto checksum = pod_template_config_checksum(ctx);
  if (!checksum) return util::unexpected(checksum.error());
  inputs.configmap_checksum = std::move(*checksum);
  auto host_path = local_backup_host_path(ctx);
  if (!host_path) return util::unexpected(host_path.error());
  inputs.local_backup_host_path = std::move(*host_path);
  return inputs;
}

class StatefulSetComponent final : public Component {
 public:
  std::string_view kind() const override { return "StatefulSet"; }

  DruidResult<std::vector<std::string>> existing_names(Context& ctx) override {
    return existing_if_controlled(
        ctx, kType, api::statefulset_name(ctx.etcd), error_code::kGetStatefulSet,
        fmt::format("StatefulSet: {} for etcd: {}", sts_key(ctx.etcd), etcd_key(ctx.etcd)));
  }

  std::vector<std::string> desired_names(const api::Etcd& etcd) const override {
    return {api::statefulset_name(etcd)};
  }

  DruidResult<> pre_sync(Context& ctx) override { return run_statefulset_presync(ctx); }

  DruidResult<> sync(Context& ctx) override {
    const auto& etcd = ctx.etcd;
    auto existing = ctx.reader.get(kType, etcd.metadata.namespace_, api::statefulset_name(etcd));
    if (!existing) {
      return util::unexpected(sync_error(
          ctx,
          fmt::format("Error getting StatefulSet: {} for etcd: {}", sts_key(etcd), etcd_key(etcd)),
          existing.error()));
    }
    auto inputs = gather_inputs(ctx);
    if (!inputs) return util::unexpected(inputs.error());
    if (!*existing) return sync_missing(ctx, *inputs);

    const nlohmann::json& current = **existing;
    inputs->existing = &current;
    if (etcd.spec.replicas > 0) {
      auto tls = handle_tls_changes(ctx, *inputs, current);
      if (!tls) return tls;
    }
    if (!has_default_selector(etcd, current)) return orphan_delete(ctx);
    return create_or_patch_with_replicas(ctx, *inputs, &current, etcd.spec.replicas);
  }

  DruidResult<> trigger_delete(Context& ctx) override {
    return delete_ignoring_not_found(
        ctx, kType, api::statefulset_name(ctx.etcd), delete_error_code(),
        fmt::format("StatefulSet: {} for etcd {}", sts_key(ctx.etcd), etcd_key(ctx.etcd)));
  }

  const char* delete_error_code() const override { return error_code::kDeleteStatefulSet; }

 private:
  // The desired StatefulSet with `replicas` (before the runtime-component rule).
  static DruidResult<nlohmann::json> desired(Context& ctx, StatefulSetInputs inputs,
                                             std::int32_t replicas) {
    inputs.replicas = effective_replicas(ctx.etcd, replicas);
    auto built = build_statefulset(ctx.etcd, inputs);
    if (!built) {
      return util::unexpected(
          sync_error(ctx, fmt::format("Error building StatefulSet: {} for etcd: {}: {}",
                                      sts_key(ctx.etcd), etcd_key(ctx.etcd), built.error())));
    }
    return std::move(*built);
  }

  // Creates `desired` when `existing` is null, else sends the one merge patch
  // that brings `existing` to it (nothing when it is already there).
  static kube::ApiResult<PatchOutcome> apply(Context& ctx, const nlohmann::json* existing,
                                             const nlohmann::json& desired) {
    const auto options = statefulset_patch_options();
    if (existing == nullptr) return create_or_patch(ctx, kType, desired, options);
    const nlohmann::json patch = desired_state_patch(*existing, desired, options);
    if (patch.empty()) return PatchOutcome{PatchAction::kNone, *existing};
    ++ctx.writes;
    auto patched =
        ctx.writer.patch(kType, ctx.etcd.metadata.namespace_, api::statefulset_name(ctx.etcd),
                         kube::PatchType::kMerge, patch, {});
    if (!patched) return util::unexpected(patched.error());
    ctx.record_updated(kType.kind, api::statefulset_name(ctx.etcd));
    return PatchOutcome{PatchAction::kPatched, std::move(*patched)};
  }

  static DruidResult<> create_or_patch_with_replicas(Context& ctx, const StatefulSetInputs& inputs,
                                                     const nlohmann::json* existing,
                                                     std::int32_t replicas) {
    auto object = desired(ctx, inputs, replicas);
    if (!object) return util::unexpected(object.error());
    auto result = apply(ctx, existing, *object);
    if (!result) {
      return util::unexpected(sync_error(
          ctx,
          fmt::format("Error creating or patching [StatefulSet: {}, Replicas: {}] for etcd: {}",
                      sts_key(ctx.etcd), effective_replicas(ctx.etcd, replicas),
                      etcd_key(ctx.etcd)),
          result.error()));
    }
    return ok();
  }

  // Upstream's Sync and checkAndRecreateOrphanDeletedSts: a new cluster gets its StatefulSet; one
  // that was reconciled before lost it to an orphan delete (selector change), so its pods are still
  // running and the StatefulSet comes back at their size.
  static DruidResult<> sync_missing(Context& ctx, const StatefulSetInputs& inputs) {
    const auto& etcd = ctx.etcd;
    const bool reconciled_before = etcd.status && etcd.status->observed_generation.has_value();
    if (!reconciled_before) {
      return create_or_patch_with_replicas(ctx, inputs, nullptr, etcd.spec.replicas);
    }
    auto pods = ctx.reader.list(kube::resources::kPods, etcd.metadata.namespace_,
                                api::default_labels(etcd));
    if (!pods) {
      return util::unexpected(
          sync_error(ctx, fmt::format("Error getting orphaned pods for etcd: {}", etcd_key(etcd)),
                     pods.error()));
    }
    if (pods->empty())
      return create_or_patch_with_replicas(ctx, inputs, nullptr, etcd.spec.replicas);

    // status.members rather than the pod count: some orphans may have been
    // evicted meanwhile, and the StatefulSet must bring them back.
    const auto members = static_cast<std::int32_t>(etcd.status->members.size());
    auto object = desired(ctx, inputs, members);
    if (!object) return util::unexpected(object.error());
    auto created = apply(ctx, nullptr, *object);
    if (!created) {
      return util::unexpected(
          sync_error(ctx,
                     fmt::format("Error recreating StatefulSet with previous replicas for orphan "
                                 "pods adoption for etcd: {}",
                                 etcd_key(etcd)),
                     created.error()));
    }
    return util::unexpected(requeue(
        ctx, fmt::format("StatefulSet has not yet been created or is not ready with previous "
                         "replicas for etcd: {}, requeuing reconcile request",
                         etcd_key(etcd))));
  }

  // Upstream's handleTLSChanges: TLS mounts change only through a patch that keeps the
  // running size, and the sync goes on only once every member's lease says
  // it serves peer TLS the way the Etcd asks.
  static DruidResult<> handle_tls_changes(Context& ctx, const StatefulSetInputs& inputs,
                                          const nlohmann::json& current) {
    const auto& etcd = ctx.etcd;
    const std::int32_t current_replicas = statefulset_replicas(current);
    auto wanted = desired(ctx, inputs, current_replicas);
    if (!wanted) return util::unexpected(wanted.error());

    if (!is_tls_config_in_sync(*wanted, current)) {
      if (!has_same_peer_tls_mount_count(*wanted, current) &&
          has_partially_ready_members(current)) {
        return util::unexpected(
            requeue(ctx, fmt::format("Not all etcd cluster members are ready. It is not safe to "
                                     "patch STS for Peer URL TLS "
                                     "changes. Replicas: {}, ReadyReplicas: {}",
                                     current_replicas, statefulset_ready_replicas(current))));
      }
      auto patched = apply(ctx, &current, without_forbidden_fields(std::move(*wanted)));
      if (!patched) {
        return util::unexpected(
            sync_error(ctx,
                       fmt::format("Error creating or patching StatefulSet with TLS changes for "
                                   "StatefulSet: {}, etcd: {}",
                                   sts_key(etcd), etcd_key(etcd)),
                       patched.error()));
      }
      return util::unexpected(
          requeue(ctx, fmt::format("Updated TLS config for etcd: {}, requeuing reconcile request",
                                   etcd_key(etcd))));
    }

    auto in_sync = member_leases_in_sync(ctx, current_replicas);
    if (!in_sync) return util::unexpected(in_sync.error());
    if (!*in_sync) {
      return util::unexpected(requeue(
          ctx,
          fmt::format("Peer URL TLS not enabled for #{} members for etcd: {}, requeuing reconcile "
                      "request",
                      current_replicas, etcd_key(etcd))));
    }
    return ok();
  }

  static DruidResult<bool> member_leases_in_sync(Context& ctx, std::int32_t replicas) {
    const auto& etcd = ctx.etcd;
    const auto failed = [&](std::optional<kube::ApiError> cause, std::string_view detail) {
      return sync_error(ctx,
                        fmt::format("Error checking if peer TLS is enabled for statefulset: {}, "
                                    "etcd: {}{}",
                                    sts_key(etcd), etcd_key(etcd), detail),
                        std::move(cause));
    };
    auto leases = ctx.reader.list(kube::resources::kLeases, etcd.metadata.namespace_, {});
    if (!leases) return util::unexpected(failed(leases.error(), ""));
    std::vector<const nlohmann::json*> all;
    all.reserve(leases->size());
    for (const auto& lease : *leases) all.push_back(lease.get());
    auto match = member_leases_match_peer_tls(member_leases_in_order(etcd, all), replicas,
                                              etcd.spec.etcd.peer_url_tls.has_value());
    if (!match) return util::unexpected(failed(std::nullopt, ": " + match.error()));
    return *match;
  }

  // Upstream's handleStsLabelSelectorOnMismatch: the selector is immutable, so the StatefulSet goes
  // (its pods stay) and the next sync recreates it and adopts them.
  static DruidResult<> orphan_delete(Context& ctx) {
    const auto& etcd = ctx.etcd;
    kube::DeleteOptions options;
    options.propagation_policy = "Orphan";
    ++ctx.writes;
    auto removed =
        ctx.writer.remove(kType, etcd.metadata.namespace_, api::statefulset_name(etcd), options);
    if (!removed && !kube::is_not_found(removed.error())) {
      return util::unexpected(
          sync_error(ctx,
                     fmt::format("Error orphan deleting StatefulSet: {} for etcd: {}",
                                 sts_key(etcd), etcd_key(etcd)),
                     removed.error()));
    }
    return util::unexpected(requeue(
        ctx,
        fmt::format("StatefulSet has not been orphan deleted: {} for etcd: {}, requeuing reconcile "
                    "request",
                    sts_key(etcd), etcd_key(etcd))));
  }
};

}  // namespace

ComponentPtr make_statefulset_component() {
  return std::make_unique<StatefulSetComponent>();
}

}  // namespace druid::component
