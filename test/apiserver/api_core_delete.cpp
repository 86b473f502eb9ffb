// delete and deletecollection.
#include <fmt/format.h>

#include "apiserver/api_core.hpp"
#include "apiserver/api_core_internal.hpp"

namespace druid::testing {

using core_detail::meta_string;
using nlohmann::json;

namespace {

struct DeleteOptions {
  PropagationPolicy policy = PropagationPolicy::kBackground;
  std::optional<bool> orphan_dependents;
  std::string precondition_uid;
  std::string precondition_resource_version;
  json raw = json::object();
};

util::Expected<DeleteOptions, StatusError> parse_delete_options(const ApiRequest& request) {
  DeleteOptions o;
  if (!request.body.empty()) {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return util::unexpected(bad_request("the body of the DeleteOptions could not be decoded"));
    }
    o.raw = body;
  }
  std::string policy = o.raw.value("propagationPolicy", "");
  if (policy.empty()) policy = query_value(request.query, "propagationPolicy");
  if (o.raw.contains("orphanDependents") && o.raw["orphanDependents"].is_boolean()) {
    o.orphan_dependents = o.raw["orphanDependents"].get<bool>();
  } else if (std::string q = query_value(request.query, "orphanDependents"); !q.empty()) {
    o.orphan_dependents = q == "true";
  }
  if (policy == "Foreground") {
    o.policy = PropagationPolicy::kForeground;
  } else if (policy == "Orphan") {
    o.policy = PropagationPolicy::kOrphan;
  } else if (policy == "Background" || policy.empty()) {
    o.policy = o.orphan_dependents.value_or(false) ? PropagationPolicy::kOrphan
                                                   : PropagationPolicy::kBackground;
  } else {
    return util::unexpected(
        invalid({"meta.k8s.io", "DeleteOptions"}, "",
                {api::not_supported_error(api::FieldPath("propagationPolicy"), policy,
                                          {"Foreground", "Background", "Orphan", "nil"})}));
  }
  if (o.raw.contains("preconditions") && o.raw["preconditions"].is_object()) {
    o.precondition_uid = o.raw["preconditions"].value("uid", "");
    o.precondition_resource_version = o.raw["preconditions"].value("resourceVersion", "");
  }
  if (!o.raw.contains("kind")) o.raw["kind"] = "DeleteOptions";
  if (!o.raw.contains("apiVersion")) o.raw["apiVersion"] = "meta.k8s.io/v1";
  return o;
}

std::optional<StatusError> check_preconditions(const DeleteOptions& o, const json& object,
                                               const QualifiedResource& resource) {
  const std::string name = meta_string(object, "name");
  const std::string uid = meta_string(object, "uid");
  const std::string rv = meta_string(object, "resourceVersion");
  if (!o.precondition_uid.empty() && o.precondition_uid != uid) {
    return conflict(resource, name,
                    fmt::format("Precondition failed: UID in precondition: {}, UID in object meta: "
                                "{}",
                                o.precondition_uid, uid));
  }
  if (!o.precondition_resource_version.empty() && o.precondition_resource_version != rv) {
    return conflict(resource, name,
                    fmt::format("Precondition failed: ResourceVersion in precondition: {}, "
                                "ResourceVersion in object meta: {}",
                                o.precondition_resource_version, rv));
  }
  return std::nullopt;
}

}  // namespace

ApiResponse ApiCore::remove(Context& ctx) {
  auto options = parse_delete_options(ctx.request);
  if (!options) return ApiResponse::error(options.error());
  const ObjectKey key{ctx.type.storage_key(), ctx.info.ns, ctx.info.name};
  if (ctx.type.group.empty() && ctx.type.plural == "namespaces" &&
      (key.name == "default" || key.name == "kube-system" || key.name == "kube-public")) {
    // The NamespaceLifecycle admission plugin protects the system namespaces.
    return ApiResponse::error(
        forbidden(ctx.resource(), key.name, "this namespace may not be deleted"));
  }
  json old;
  {
    std::lock_guard lock(mutex_);
    const json* current = store_.get(key);
    if (current == nullptr) return ApiResponse::error(not_found(ctx.resource(), ctx.info.name));
    old = render(ctx.type, *current);
    if (auto failed = check_preconditions(*options, old, ctx.resource())) {
      return ApiResponse::error(*failed);
    }
  }
  AdmissionAttributes attributes;
  attributes.operation = "DELETE";
  attributes.type = ctx.type;
  attributes.ns = key.ns;
  attributes.name = key.name;
  attributes.old_object = old;
  attributes.options = options->raw;
  attributes.user = ctx.request.user;
  attributes.dry_run = ctx.dry_run;
  if (auto denied = admit(attributes)) return ApiResponse::error(*denied);
  if (ctx.dry_run) return ApiResponse::json_body(200, old);

  std::lock_guard lock(mutex_);
  const json* current = store_.get(key);
  if (current == nullptr) return ApiResponse::error(not_found(ctx.resource(), ctx.info.name));
  if (auto failed = check_preconditions(*options, *current, ctx.resource())) {
    return ApiResponse::error(*failed);
  }
  const std::string uid = meta_string(*current, "uid");
  auto result = lifecycle_.remove(key, options->policy);
  if (!result.deleted) {
    // apiserver handlers/delete.go: 202 only when cascading was asked for
    // explicitly with orphanDependents=false and the object is not gone yet.
    const int code = options->orphan_dependents == false ? 202 : 200;
    return ApiResponse::json_body(code, render(ctx.type, result.object));
  }
  if (ctx.type.return_deleted_object && !result.object.is_null()) {
    return ApiResponse::json_body(200, render(ctx.type, result.object));
  }
  return ApiResponse::json_body(200, success_status(ctx.resource(), ctx.info.name, uid));
}

ApiResponse ApiCore::remove_collection(Context& ctx) {
  auto list_options = parse_list_options(ctx.request.query, ctx.type);
  if (!list_options) return ApiResponse::error(list_options.error());
  auto options = parse_delete_options(ctx.request);
  if (!options) return ApiResponse::error(options.error());
  std::vector<json> targets;
  {
    std::lock_guard lock(mutex_);
    for (const json* o : store_.list(ctx.type.storage_key(), ctx.info.ns)) {
      if (matches(*list_options, *o)) targets.push_back(render(ctx.type, *o));
    }
  }
  std::vector<json> items;
  for (const auto& target : targets) {
    AdmissionAttributes attributes;
    attributes.operation = "DELETE";
    attributes.type = ctx.type;
    attributes.ns = meta_string(target, "namespace");
    attributes.name = meta_string(target, "name");
    attributes.old_object = target;
    attributes.options = options->raw;
    attributes.user = ctx.request.user;
    attributes.dry_run = ctx.dry_run;
    if (auto denied = admit(attributes)) return ApiResponse::error(*denied);
    if (ctx.dry_run) {
      items.push_back(target);
      continue;
    }
    std::lock_guard lock(mutex_);
    ObjectKey key = ObjectLifecycle::key_of(ctx.type, target);
    if (store_.get(key) == nullptr) continue;
    auto result = lifecycle_.remove(key, options->policy);
    if (!result.object.is_null()) items.push_back(render(ctx.type, result.object));
  }
  json meta;
  {
    std::lock_guard lock(mutex_);
    meta = {{"resourceVersion", std::to_string(store_.current_resource_version())}};
  }
  for (auto& item : items) {
    if (!ctx.type.custom) {
      item.erase("apiVersion");
      item.erase("kind");
    }
  }
  return ApiResponse::json_body(200, {{"kind", ctx.type.list_kind},
                                      {"apiVersion", ctx.type.api_version()},
                                      {"metadata", meta},
                                      {"items", std::move(items)}});
}

}  // namespace druid::testing
