#include "component/statefulset_presync.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>

#include "api/codec.hpp"
#include "api/etcd_ops_task.hpp"
#include "api/image_vector.hpp"
#include "api/names.hpp"
#include "api/resources.hpp"
#include "component/component.hpp"
#include "component/error_codes.hpp"
#include "component/statefulset_pod_names.hpp"
#include "component/statefulset_tls.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::component {
namespace {

std::string object_key(const api::Etcd& etcd, std::string_view name) {
  return fmt::format("{}/{}", etcd.metadata.namespace_, name);
}

std::string_view purpose(std::string_view prefix) {
  return prefix == api::kPresyncHibernationSnapshotTaskPrefix ? "hibernation"
                                                              : "the etcd version upgrade";
}

std::string container_image(const nlohmann::json& statefulset, std::string_view container) {
  const nlohmann::json::json_pointer pointer("/spec/template/spec/containers");
  if (!statefulset.contains(pointer) || !statefulset.at(pointer).is_array()) return {};
  for (const auto& candidate : statefulset.at(pointer)) {
    if (util::string_field(candidate, "name") == container) {
      return util::string_field(candidate, "image");
    }
  }
  return {};
}

// The task of `prefix` with the highest index, if any.
struct LatestTask {
  int index = -1;
  kube::ObjectPtr task;
};

DruidResult<LatestTask> latest_task(Context& ctx, std::string_view prefix) {
  const auto& etcd = ctx.etcd;
  auto tasks = ctx.reader.list(api::resources::kEtcdOpsTasks, etcd.metadata.namespace_, {});
  if (!tasks) {
    return util::unexpected(
        druid_error(ctx.now, error_code::kGetEtcdOpsTask, Operation::kPreSync,
                    fmt::format("Error listing EtcdOpsTasks in namespace {} for etcd: {}",
                                etcd.metadata.namespace_, etcd_key(etcd)),
                    tasks.error()));
  }
  LatestTask latest;
  for (const auto& task : *tasks) {
    const auto index = api::presync_snapshot_task_index(
        util::string_field(util::metadata_of(*task), "name"), etcd.metadata.name, prefix);
    if (index && *index > latest.index) latest = {*index, task};
  }
  return latest;
}

DruidError requeue(const Context& ctx, std::string message) {
  return druid_error(ctx.now, error_code::kRequeueAfter, Operation::kPreSync, std::move(message));
}

// Creates `<prefix><index>` and asks to be called again once it ran.
DruidResult<> create_task(Context& ctx, std::string_view prefix, int index) {
  const auto& etcd = ctx.etcd;
  const std::string name = api::presync_snapshot_task_name(etcd.metadata.name, prefix, index);
  ++ctx.writes;
  auto created = ctx.writer.create(api::resources::kEtcdOpsTasks, etcd.metadata.namespace_,
                                   build_presync_snapshot_task(etcd, prefix, index));
  // AlreadyExists: the reader had not seen it yet; it is there, so wait for it.
  if (!created && !kube::is_already_exists(created.error())) {
    return util::unexpected(druid_error(ctx.now, error_code::kCreateEtcdOpsTask,
                                        Operation::kPreSync,
                                        fmt::format("Error creating EtcdOpsTask {} for etcd: {}",
                                                    object_key(etcd, name), etcd_key(etcd)),
                                        created.error()));
  }
  return util::unexpected(
      requeue(ctx, fmt::format("Created EtcdOpsTask {} (attempt {} of {}) to take a full snapshot "
                               "before {} of etcd: {}, "
                               "requeuing reconcile request",
                               object_key(etcd, name), index + 1, kMaxPresyncSnapshotAttempts,
                               purpose(prefix), etcd_key(etcd))));
}

DruidResult<> ensure_snapshot(Context& ctx, std::string_view prefix) {
  const auto& etcd = ctx.etcd;
  auto latest = latest_task(ctx, prefix);
  if (!latest) return util::unexpected(latest.error());
  if (!latest->task) return create_task(ctx, prefix, 0);

  const std::string name =
      api::presync_snapshot_task_name(etcd.metadata.name, prefix, latest->index);
  const auto status = latest->task->value("status", nlohmann::json::object());
  const std::string state = util::string_field(status, "state");
  if (state == api::ops_task_state::kSucceeded) return ok();
  if (state == api::ops_task_state::kFailed || state == api::ops_task_state::kRejected) {
    if (latest->index + 1 >= kMaxPresyncSnapshotAttempts) {
      // Blocking hibernation or the upgrade forever is worse than going ahead
      // without the snapshot; the controller reports it.
      ctx.presync_snapshot_failed = true;
      return ok();
    }
    return create_task(ctx, prefix, latest->index + 1);
  }
  return util::unexpected(requeue(
      ctx,
      fmt::format(
          "Waiting for EtcdOpsTask {} (state: {}) to take a full snapshot before {} of etcd: {}, "
          "requeuing reconcile request",
          object_key(etcd, name), state.empty() ? "not yet set" : state, purpose(prefix),
          etcd_key(etcd))));
}

}  // namespace

nlohmann::json build_presync_snapshot_task(const api::Etcd& etcd, std::string_view prefix,
                                           int index) {
  return {{"apiVersion", api::kApiVersion},
          {"kind", api::kEtcdOpsTaskKind},
          {"metadata",
           {{"name", api::presync_snapshot_task_name(etcd.metadata.name, prefix, index)},
            {"namespace", etcd.metadata.namespace_},
            {"ownerReferences",
             nlohmann::json::array({api::encode(api::etcd_owner_reference(etcd))})}}},
          {"spec",
           {{"etcdName", etcd.metadata.name},
            {"config", {{"onDemandSnapshot", {{"type", api::kSnapshotTypeFull}}}}}}}};
}

std::string_view presync_snapshot_prefix(const api::Etcd& etcd, const nlohmann::json& statefulset,
                                         bool upgrade_gate, std::string_view desired_etcd_image) {
  if (etcd.spec.replicas == 0) return api::kPresyncHibernationSnapshotTaskPrefix;
  if (upgrade_gate && container_image(statefulset, pod::kEtcdContainer) != desired_etcd_image) {
    return api::kPresyncUpgradeSnapshotTaskPrefix;
  }
  return {};
}

DruidResult<> run_statefulset_presync(Context& ctx) {
  const auto& etcd = ctx.etcd;
  if (!api::is_backup_store_enabled(etcd)) return ok();
  const std::string name = api::statefulset_name(etcd);
  auto existing = ctx.reader.get(kube::resources::kStatefulSets, etcd.metadata.namespace_, name);
  if (!existing) {
    return util::unexpected(druid_error(ctx.now, error_code::kGetStatefulSet, Operation::kPreSync,
                                        fmt::format("Error getting StatefulSet: {} for etcd: {}",
                                                    object_key(etcd, name), etcd_key(etcd)),
                                        existing.error()));
  }
  if (!*existing || statefulset_replicas(**existing) <= 0) return ok();

  const bool upgrade_gate = ctx.settings.feature_gates.upgrade_etcd_version;
  std::string desired_image;
  if (etcd.spec.replicas != 0 && upgrade_gate) {
    auto images = api::resolve_etcd_images(etcd, ctx.image_vector, upgrade_gate);
    if (!images) {
      return util::unexpected(druid_error(ctx.now, error_code::kGetEtcdWrapperImage,
                                          Operation::kPreSync, images.error()));
    }
    desired_image = images->etcd_wrapper;
  }
  const auto prefix = presync_snapshot_prefix(etcd, **existing, upgrade_gate, desired_image);
  if (prefix.empty()) return ok();
  return ensure_snapshot(ctx, prefix);
}

}  // namespace druid::component
