#include "component/memberlease.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "api/labels.hpp"
#include "api/names.hpp"
#include "component/component.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::component {

nlohmann::json build_member_lease(const api::Etcd& etcd, std::string_view lease_name) {
  const std::string name(lease_name);
  return {{"apiVersion", kube::resources::kLeases.api_version()},
          {"kind", kube::resources::kLeases.kind},
          {"metadata", managed_metadata(etcd, name, api::member_lease_labels(etcd, name))}};
}

namespace {

class MemberLeaseComponent final : public Component {
 public:
  std::string_view kind() const override { return "MemberLease"; }

  DruidResult<std::vector<std::string>> existing_names(Context& ctx) override {
    const api::Etcd& etcd = ctx.etcd;
    auto leases = ctx.reader.list(kube::resources::kLeases, etcd.metadata.namespace_,
                                  api::member_lease_selector_labels(etcd));
    if (!leases) {
      return util::unexpected(druid_error(
          ctx.now, error_code::kListMemberLease, Operation::kGetExistingResourceNames,
          fmt::format("Error listing member leases for etcd: {}", etcd_key(etcd)), leases.error()));
    }
    std::vector<std::string> names;
    for (const auto& lease : *leases) {
      if (util::is_controlled_by(*lease, etcd.metadata.uid)) {
        names.push_back(lease->at("metadata").value("name", ""));
      }
    }
    return names;
  }

  std::vector<std::string> desired_names(const api::Etcd& etcd) const override {
    return api::member_lease_names(etcd);
  }

  // One lease after the other (upstream runs them concurrently): a failure of
  // one lease does not stop the others, and the first failure is returned.
  DruidResult<> sync(Context& ctx) override {
    std::optional<DruidError> first_error;
    for (const auto& name : api::member_lease_names(ctx.etcd)) {
      auto synced = sync_lease(ctx, name);
      if (!synced && !first_error) first_error = synced.error();
    }
    if (first_error) return util::unexpected(std::move(*first_error));
    return ok();
  }

  // All leases carrying the selector labels go, including those of members
  // that no longer exist after a scale-down.
  DruidResult<> trigger_delete(Context& ctx) override {
    const api::Etcd& etcd = ctx.etcd;
    kube::ListOptions selector;
    selector.label_selector = selector_string(api::member_lease_selector_labels(etcd));
    auto deleted = ctx.writer.delete_collection(kube::resources::kLeases, etcd.metadata.namespace_,
                                                selector, {});
    if (!deleted && deleted.error().reason != kube::ApiErrorReason::kNotFound) {
      return util::unexpected(
          druid_error(ctx.now, delete_error_code(), Operation::kTriggerDelete,
                      fmt::format("Failed to delete member leases for etcd: {}", etcd_key(etcd)),
                      deleted.error()));
    }
    return ok();
  }

  const char* delete_error_code() const override { return error_code::kDeleteMemberLease; }

 private:
  static DruidResult<> sync_lease(Context& ctx, const std::string& name) {
    // Labels are owned; annotations and spec belong to backup-restore.
    auto result =
        create_or_patch(ctx, kube::resources::kLeases, build_member_lease(ctx.etcd, name));
    if (!result) {
      return util::unexpected(
          druid_error(ctx.now, error_code::kSyncMemberLease, Operation::kSync,
                      fmt::format("Error syncing member lease: {}/{} for etcd: {}",
                                  ctx.etcd.metadata.namespace_, name, etcd_key(ctx.etcd)),
                      result.error()));
    }
    return ok();
  }
};

}  // namespace

ComponentPtr make_member_lease_component() {
  return std::make_unique<MemberLeaseComponent>();
}

}  // namespace druid::component
