#include "component/single_object_component.hpp"

#include <fmt/format.h>

#include "util/json_access.hpp"

namespace druid::component {

DruidResult<std::vector<std::string>> existing_if_controlled(Context& ctx,
                                                             const util::ResourceType& type,
                                                             const std::string& name,
                                                             const char* code,
                                                             std::string_view object) {
  auto current = ctx.reader.get(type, ctx.etcd.metadata.namespace_, name);
  if (!current) {
    return util::unexpected(druid_error(ctx.now, code, Operation::kGetExistingResourceNames,
                                        fmt::format("Error getting {}", object), current.error()));
  }
  std::vector<std::string> names;
  if (*current && util::is_controlled_by(**current, ctx.etcd.metadata.uid)) names.push_back(name);
  return names;
}

DruidResult<> delete_ignoring_not_found(Context& ctx, const util::ResourceType& type,
                                        const std::string& name, const char* code,
                                        std::string_view object) {
  auto removed = ctx.writer.remove(type, ctx.etcd.metadata.namespace_, name, {});
  if (!removed && !kube::is_not_found(removed.error())) {
    return util::unexpected(druid_error(ctx.now, code, Operation::kTriggerDelete,
                                        fmt::format("Failed to delete {}", object),
                                        removed.error()));
  }
  if (removed) ++ctx.writes;
  return ok();
}

std::string SingleObjectComponent::object(const api::Etcd& etcd) const {
  return fmt::format("{} {}/{}", definition_.description, etcd.metadata.namespace_,
                     definition_.name(etcd));
}

DruidResult<std::vector<std::string>> SingleObjectComponent::existing_names(Context& ctx) {
  return existing_if_controlled(ctx, definition_.type, definition_.name(ctx.etcd),
                                definition_.get_error, object(ctx.etcd));
}

DruidResult<> SingleObjectComponent::sync(Context& ctx) {
  auto result =
      create_or_patch(ctx, definition_.type, definition_.build(ctx), definition_.patch_options);
  if (!result) {
    return util::unexpected(druid_error(
        ctx.now, definition_.sync_error, Operation::kSync,
        fmt::format("Error during create or patch of {}", object(ctx.etcd)), result.error()));
  }
  return ok();
}

DruidResult<> SingleObjectComponent::trigger_delete(Context& ctx) {
  return delete_ignoring_not_found(ctx, definition_.type, definition_.name(ctx.etcd),
                                   delete_error_code(), object(ctx.etcd));
}

}  // namespace druid::component
