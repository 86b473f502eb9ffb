#include "component/snapshotlease.hpp"

#include <fmt/format.h>

#include <optional>

#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::component {

std::vector<std::string> snapshot_lease_names(const api::Etcd& etcd) {
  return {api::delta_snapshot_lease_name(etcd), api::full_snapshot_lease_name(etcd)};
}

nlohmann::json build_snapshot_lease(const api::Etcd& etcd, std::string_view lease_name) {
  const std::string name(lease_name);
  return {{"apiVersion", kube::resources::kLeases.api_version()},
          {"kind", kube::resources::kLeases.kind},
          {"metadata", managed_metadata(etcd, name, api::snapshot_lease_labels(etcd, name))}};
}

namespace {

// DELETE of every lease with the snapshot-lease selector labels (NotFound is
// success); the caller wraps the error in its own code and operation.
kube::ApiResult<nlohmann::json> delete_all_snapshot_leases(Context& ctx) {
  kube::ListOptions selector;
  selector.label_selector = selector_string(api::snapshot_lease_selector_labels(ctx.etcd));
  ++ctx.writes;
  auto deleted = ctx.writer.delete_collection(kube::resources::kLeases,
                                              ctx.etcd.metadata.namespace_, selector, {});
  if (!deleted && deleted.error().reason == kube::ApiErrorReason::kNotFound) {
    return nlohmann::json::object();
  }
  return deleted;
}

class SnapshotLeaseComponent final : public Component {
 public:
  std::string_view kind() const override { return "SnapshotLease"; }

  // By name rather than by labels: leases created before druid labelled them
  // still count.
  DruidResult<std::vector<std::string>> existing_names(Context& ctx) override {
    const api::Etcd& etcd = ctx.etcd;
    std::vector<std::string> names;
    for (const auto& name : snapshot_lease_names(etcd)) {
      auto lease = ctx.reader.get(kube::resources::kLeases, etcd.metadata.namespace_, name);
      if (!lease) {
        return util::unexpected(druid_error(
            ctx.now, error_code::kGetSnapshotLease, Operation::kGetExistingResourceNames,
            fmt::format("Error getting snapshot lease: {}/{} for etcd: {}",
                        etcd.metadata.namespace_, name, etcd_key(etcd)),
            lease.error()));
      }
      if (*lease && util::is_controlled_by(**lease, etcd.metadata.uid)) names.push_back(name);
    }
    return names;
  }

  std::vector<std::string> desired_names(const api::Etcd& etcd) const override {
    if (!api::is_backup_store_enabled(etcd)) return {};
    return snapshot_lease_names(etcd);
  }

  DruidResult<> sync(Context& ctx) override {
    if (!api::is_backup_store_enabled(ctx.etcd)) return delete_when_backup_disabled(ctx);
    // One lease after the other (upstream runs them concurrently); every lease
    // is attempted and the first failure is returned.
    std::optional<DruidError> first_error;
    for (const auto& name : snapshot_lease_names(ctx.etcd)) {
      auto synced = sync_lease(ctx, name);
      if (!synced && !first_error) first_error = synced.error();
    }
    if (first_error) return util::unexpected(std::move(*first_error));
    return ok();
  }

  DruidResult<> trigger_delete(Context& ctx) override {
    auto deleted = delete_all_snapshot_leases(ctx);
    if (!deleted) {
      return util::unexpected(druid_error(
          ctx.now, delete_error_code(), Operation::kTriggerDelete,
          fmt::format("Failed to delete snapshot leases for etcd: {}", etcd_key(ctx.etcd)),
          deleted.error()));
    }
    return ok();
  }

  const char* delete_error_code() const override { return error_code::kDeleteSnapshotLease; }

 private:
  static DruidResult<> sync_lease(Context& ctx, const std::string& name) {
    // Labels are owned; annotations and spec belong to backup-restore.
    auto result =
        create_or_patch(ctx, kube::resources::kLeases, build_snapshot_lease(ctx.etcd, name));
    if (!result) {
      return util::unexpected(
          druid_error(ctx.now, error_code::kSyncSnapshotLease, Operation::kSync,
                      fmt::format("Error syncing snapshot lease: {}/{} for etcd: {}",
                                  ctx.etcd.metadata.namespace_, name, etcd_key(ctx.etcd)),
                      result.error()));
    }
    return ok();
  }

  // Upstream sends the DeleteAllOf on every sync; we look first (through the
  // reader, a cache in the operator) so a reconcile without snapshot leases
  // writes nothing. The delete still goes by labels, like upstream's.
  static DruidResult<> delete_when_backup_disabled(Context& ctx) {
    const api::Etcd& etcd = ctx.etcd;
    const auto fail = [&ctx, &etcd](const kube::ApiError& cause) {
      return util::unexpected(druid_error(
          ctx.now, error_code::kSyncSnapshotLease, Operation::kSync,
          fmt::format(
              "Failed to delete existing snapshot leases due to backup being disabled for etcd: {}",
              etcd_key(etcd)),
          cause));
    };
    auto leases = ctx.reader.list(kube::resources::kLeases, etcd.metadata.namespace_,
                                  api::snapshot_lease_selector_labels(etcd));
    if (!leases) return fail(leases.error());
    if (leases->empty()) return ok();
    auto deleted = delete_all_snapshot_leases(ctx);
    if (!deleted) return fail(deleted.error());
    return ok();
  }
};

}  // namespace

ComponentPtr make_snapshot_lease_component() {
  return std::make_unique<SnapshotLeaseComponent>();
}

}  // namespace druid::component
