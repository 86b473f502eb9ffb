// create, update and patch.
#include <fmt/format.h>

#include <algorithm>

#include "api/validation/unknown_fields.hpp"
#include "apiserver/api_core.hpp"
#include "apiserver/api_core_internal.hpp"
#include "apiserver/custom_resource_validation.hpp"
#include "apiserver/patch_adapter.hpp"
#include "apiserver/scale.hpp"
#include "apiserver/schema_defaulting.hpp"
#include "util/yaml.hpp"

namespace druid::testing {

using core_detail::meta_string;
using nlohmann::json;

namespace core_detail {

util::Expected<std::vector<std::string>, StatusError> prune_custom_resource(
    const ResourceType& type, json& object, const QueryParams& query) {
  if (!type.custom || type.schema.is_null()) return std::vector<std::string>{};
  const std::vector<std::string> unknown =
      api::validation::prune_unknown_fields(object, type.schema);
  const std::string mode = query_value(query, "fieldValidation");
  if (unknown.empty() || mode == "Ignore") return std::vector<std::string>{};
  if (mode == "Strict") {
    return util::unexpected(
        bad_request(api::validation::strict_decoding_error(type.kind, type.version, unknown)));
  }
  std::vector<std::string> warnings;
  for (const auto& f : unknown) warnings.push_back(fmt::format("unknown field \"{}\"", f));
  return warnings;
}

}  // namespace core_detail

namespace {

constexpr int kWriteAttempts = 8;
constexpr const char* kNamespacesStorage = "/namespaces";

json identity(const json& object) {
  return object;
}

// The body's apiVersion and kind must name the type the URL addresses.
std::optional<StatusError> check_type(const json& body, const ResourceType& type) {
  const std::string kind = body.value("kind", "");
  const std::string api_version = body.value("apiVersion", "");
  if (kind.empty()) return bad_request("Object 'Kind' is missing in '" + body.dump() + "'");
  if (!api_version.empty() && api_version != type.api_version()) {
    return bad_request(
        fmt::format("the API version in the data ({}) does not match the expected API version ({})",
                    api_version, type.api_version()));
  }
  if (kind != type.kind) {
    return bad_request(
        fmt::format("{} in version \"{}\" cannot be handled as a {}: the kind in "
                    "the data ({}) does not match the expected kind ({})",
                    kind, type.version, type.kind, kind, type.kind));
  }
  return std::nullopt;
}

void dedupe(api::FieldErrors& errors) {
  api::FieldErrors unique;
  for (auto& e : errors) {
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(std::move(e));
  }
  errors = std::move(unique);
}

}  // namespace

std::optional<StatusError> ApiCore::validate(const ResourceType& type, const json& object,
                                             const json& old) const {
  api::FieldErrors errors =
      old.is_null() ? validate_object_meta(object, type) : validate_object_meta_update(object, old);
  if (!old.is_null()) {
    for (auto& e : validate_builtin_update(object, old, type)) errors.push_back(std::move(e));
  }
  if (type.custom) {
    for (auto& e : validate_custom_resource(type, object, old)) errors.push_back(std::move(e));
  }
  if (type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions") {
    for (auto& e : ResourceRegistry::validate_crd(object)) errors.push_back(std::move(e));
  }
  if (errors.empty()) return std::nullopt;
  dedupe(errors);
  return invalid(type.qualified_kind(), meta_string(object, "name"), errors);
}

std::vector<json> ApiCore::webhook_configurations() const {
  std::vector<json> out;
  for (const json* o :
       store_.list("admissionregistration.k8s.io/validatingwebhookconfigurations", "")) {
    out.push_back(*o);
  }
  return out;
}

std::optional<StatusError> ApiCore::admit(const AdmissionAttributes& attributes) {
  AdmissionHook hook;
  std::vector<json> configurations;
  {
    std::lock_guard lock(mutex_);
    hook = admission_;
    configurations = webhook_configurations();
  }
  if (!hook || configurations.empty()) return std::nullopt;
  return hook(attributes, configurations);
}

util::Expected<ApiCore::WritePlan, StatusError> ApiCore::plan_create(Context& ctx, json object) {
  const ResourceType& type = ctx.type;
  if (!object.contains("metadata") || !object["metadata"].is_object()) {
    object["metadata"] = json::object();
  }
  if (type.namespaced) {
    const std::string ns = meta_string(object, "namespace");
    if (ns.empty()) {
      object["metadata"]["namespace"] = ctx.info.ns;
    } else if (!ctx.info.ns.empty() && ns != ctx.info.ns) {
      return util::unexpected(bad_request(
          "the namespace of the provided object does not match the namespace sent on the "
          "request"));
    }
  } else {
    object["metadata"].erase("namespace");
  }
  if (!meta_string(object, "resourceVersion").empty()) {
    return util::unexpected(
        bad_request("resourceVersion should not be set on objects to be created"));
  }
  assign_generated_name(object, ids_);
  if (type.namespaced) {
    // The NamespaceLifecycle admission plugin.
    const std::string ns = meta_string(object, "namespace");
    const json* namespace_object = store_.get({kNamespacesStorage, "", ns});
    if (namespace_object == nullptr) {
      return util::unexpected(not_found({"", "namespaces"}, ns));
    }
    if (is_deleting(*namespace_object)) {
      return util::unexpected(
          forbidden(type.qualified_resource(), meta_string(object, "name"),
                    fmt::format("unable to create new content in namespace {} because it is being "
                                "terminated",
                                ns)));
    }
  }
  object = render(type, std::move(object));
  auto warnings = core_detail::prune_custom_resource(type, object, ctx.request.query);
  if (!warnings) return util::unexpected(warnings.error());
  default_custom_resource(type, object);  // decode order: prune, default, then validate
  prepare_for_create(object, type, now(), ids_);
  if (auto invalid_error = validate(type, object, nullptr)) return util::unexpected(*invalid_error);
  ObjectKey key = ObjectLifecycle::key_of(type, object);
  if (store_.get(key) != nullptr) {
    return util::unexpected(already_exists(type.qualified_resource(), key.name));
  }
  WritePlan plan;
  plan.kind = WritePlan::Kind::kCreate;
  plan.key = std::move(key);
  plan.object = std::move(object);
  plan.old = nullptr;
  plan.code = 201;
  plan.warnings = std::move(*warnings);
  plan.render = identity;
  return plan;
}

util::Expected<ApiCore::WritePlan, StatusError> ApiCore::plan_update(Context& ctx, json object,
                                                                     bool rv_from_request) {
  const ResourceType& type = ctx.type;
  ObjectKey key{type.storage_key(), ctx.info.ns, ctx.info.name};
  const json* current = store_.get(key);
  const std::string rv = meta_string(object, "resourceVersion");
  if (current == nullptr) {
    if (ctx.info.subresource.empty() && type.allow_create_on_update && rv.empty()) {
      return plan_create(ctx, std::move(object));
    }
    return util::unexpected(not_found(type.qualified_resource(), ctx.info.name));
  }
  json old = render(type, *current);  // decoded from storage: custom resources defaulted
  const std::string old_rv = meta_string(old, "resourceVersion");
  if (!rv.empty() && rv != old_rv) {
    return util::unexpected(conflict_modified(type.qualified_resource(), ctx.info.name));
  }
  if (rv_from_request && rv.empty() && !type.allow_unconditional_update) {
    return util::unexpected(
        invalid(type.qualified_kind(), ctx.info.name,
                {api::invalid_error(api::FieldPath("metadata").child("resourceVersion"), 0,
                                    "must be specified for an update")}));
  }
  json updated;
  if (ctx.info.subresource == "status") {
    updated = prepare_for_status_update(object, old);
  } else {
    updated = std::move(object);
    if (!updated.contains("metadata") || !updated["metadata"].is_object()) {
      updated["metadata"] = json::object();
    }
    if (type.namespaced && meta_string(updated, "namespace").empty()) {
      updated["metadata"]["namespace"] = ctx.info.ns;
    }
  }
  updated = render(type, std::move(updated));
  auto warnings = core_detail::prune_custom_resource(type, updated, ctx.request.query);
  if (!warnings) return util::unexpected(warnings.error());
  // Decode order: prune, default; then the strategy (generation compares the
  // defaulted spec), then validation.
  default_custom_resource(type, updated);
  if (ctx.info.subresource != "status") prepare_for_update(updated, old, type);
  updated["metadata"]["resourceVersion"] = old_rv;
  if (auto invalid_error = validate(type, updated, old)) return util::unexpected(*invalid_error);
  WritePlan plan;
  plan.kind = updated == render(type, old) ? WritePlan::Kind::kNoop : WritePlan::Kind::kUpdate;
  plan.key = std::move(key);
  plan.object = std::move(updated);
  plan.old = std::move(old);
  plan.rv_precondition = rv_from_request && !rv.empty();
  plan.code = 200;
  plan.warnings = std::move(*warnings);
  plan.render = identity;
  return plan;
}

namespace {

// The Scale route of update and patch: replicas into the object, answers as Scale.
util::Expected<json, StatusError> scaled_object(const ResourceType& type, const json& old,
                                                const json& scale) {
  const std::string rv = scale.contains("metadata") && scale["metadata"].is_object()
                             ? scale["metadata"].value("resourceVersion", "")
                             : "";
  if (!rv.empty() && rv != meta_string(old, "resourceVersion")) {
    return util::unexpected(conflict_modified(type.qualified_resource(), meta_string(old, "name")));
  }
  return apply_scale(type, old, scale);
}

}  // namespace

namespace {

ApiResponse with_warnings(ApiResponse response, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    response.headers.emplace_back("Warning", "299 - " + json(w).dump());
  }
  return response;
}

}  // namespace

ApiResponse ApiCore::run_write(Context& ctx, const Planner& planner) {
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    WritePlan plan;
    {
      std::lock_guard lock(mutex_);
      auto planned = planner();
      if (!planned) return ApiResponse::error(planned.error());
      plan = std::move(*planned);
    }
    if (plan.kind == WritePlan::Kind::kNoop) {
      return ApiResponse::json_body(plan.code, plan.render(render(ctx.type, plan.old)));
    }
    AdmissionAttributes attributes;
    attributes.operation = plan.kind == WritePlan::Kind::kCreate ? "CREATE" : "UPDATE";
    attributes.type = ctx.type;
    attributes.subresource = ctx.info.subresource;
    attributes.ns = plan.key.ns;
    attributes.name = plan.key.name;
    attributes.object = plan.render(plan.object);
    if (!plan.old.is_null()) attributes.old_object = plan.render(render(ctx.type, plan.old));
    attributes.options = {
        {"kind", plan.kind == WritePlan::Kind::kCreate ? "CreateOptions" : "UpdateOptions"},
        {"apiVersion", "meta.k8s.io/v1"}};
    attributes.user = ctx.request.user;
    attributes.dry_run = ctx.dry_run;
    if (auto denied = admit(attributes)) return ApiResponse::error(*denied);
    if (ctx.dry_run) {
      return with_warnings(ApiResponse::json_body(plan.code, plan.render(plan.object)),
                           plan.warnings);
    }

    std::lock_guard lock(mutex_);
    const json* current = store_.get(plan.key);
    if (plan.kind == WritePlan::Kind::kCreate) {
      if (current != nullptr) {
        return ApiResponse::error(already_exists(ctx.resource(), plan.key.name));
      }
      json stored = lifecycle_.create(ctx.type, std::move(plan.object));
      return with_warnings(ApiResponse::json_body(plan.code, plan.render(render(ctx.type, stored))),
                           plan.warnings);
    }
    if (current == nullptr) return ApiResponse::error(not_found(ctx.resource(), plan.key.name));
    if (meta_string(*current, "resourceVersion") != meta_string(plan.old, "resourceVersion")) {
      if (plan.rv_precondition) {
        return ApiResponse::error(conflict_modified(ctx.resource(), plan.key.name));
      }
      continue;  // changed while admission ran: plan again on the new state
    }
    json stored = lifecycle_.update(ctx.type, std::move(plan.object));
    return with_warnings(ApiResponse::json_body(plan.code, plan.render(render(ctx.type, stored))),
                         plan.warnings);
  }
  return ApiResponse::error(conflict_modified(ctx.resource(), ctx.info.name));
}

ApiResponse ApiCore::create(Context& ctx) {
  if (!ctx.info.subresource.empty() || !ctx.info.name.empty()) {
    return ApiResponse::error(method_not_allowed());
  }
  auto body = core_detail::parse_body(ctx.request);
  if (!body) return ApiResponse::error(body.error());
  if (auto wrong = check_type(*body, ctx.type)) return ApiResponse::error(*wrong);
  return run_write(ctx, [&] { return plan_create(ctx, *body); });
}

ApiResponse ApiCore::update(Context& ctx) {
  auto body = core_detail::parse_body(ctx.request);
  if (!body) return ApiResponse::error(body.error());
  if (ctx.info.subresource == "scale") {
    return run_write(ctx, [&]() -> util::Expected<WritePlan, StatusError> {
      const json* current = store_.get({ctx.type.storage_key(), ctx.info.ns, ctx.info.name});
      if (current == nullptr) {
        return util::unexpected(not_found(ctx.resource(), ctx.info.name));
      }
      auto scaled = scaled_object(ctx.type, *current, *body);
      if (!scaled) return util::unexpected(scaled.error());
      auto plan = plan_update(ctx, std::move(*scaled), false);
      if (plan) {
        plan->rv_precondition = !meta_string(*body, "resourceVersion").empty();
        ResourceType type = ctx.type;
        plan->render = [type](const json& object) { return scale_of(type, object); };
      }
      return plan;
    });
  }
  if (auto wrong = check_type(*body, ctx.type)) return ApiResponse::error(*wrong);
  const std::string name = meta_string(*body, "name");
  if (name != ctx.info.name) {
    return ApiResponse::error(bad_request(
        fmt::format("the name of the object ({}) does not match the name on the URL ({})", name,
                    ctx.info.name)));
  }
  const std::string ns = meta_string(*body, "namespace");
  if (ctx.type.namespaced && !ns.empty() && ns != ctx.info.ns) {
    return ApiResponse::error(bad_request(
        "the namespace of the provided object does not match the namespace sent on the request"));
  }
  return run_write(ctx, [&] { return plan_update(ctx, *body, true); });
}

ApiResponse ApiCore::patch(Context& ctx) {
  auto type = patch_type(ctx.request.content_type, ctx.type);
  if (!type) return ApiResponse::error(type.error());
  return run_write(ctx, [&]() -> util::Expected<WritePlan, StatusError> {
    const json* current = store_.get({ctx.type.storage_key(), ctx.info.ns, ctx.info.name});
    if (current == nullptr) {
      if (*type == PatchType::kApply && ctx.info.subresource.empty()) {
        auto applied = util::parse_yaml(ctx.request.body);
        if (!applied) return util::unexpected(bad_request(applied.error().message()));
        if (!applied->is_object())
          return util::unexpected(bad_request("the body is not an object"));
        (*applied)["metadata"]["name"] = ctx.info.name;
        return plan_create(ctx, std::move(*applied));
      }
      return util::unexpected(not_found(ctx.resource(), ctx.info.name));
    }
    const json old = render(ctx.type, *current);
    if (ctx.info.subresource == "scale") {
      auto patched =
          apply_patch(*type, scale_of(ctx.type, old), ctx.request.body, ctx.type, ctx.info.name);
      if (!patched) return util::unexpected(patched.error());
      auto scaled = scaled_object(ctx.type, old, *patched);
      if (!scaled) return util::unexpected(scaled.error());
      auto plan = plan_update(ctx, std::move(*scaled), false);
      if (plan) {
        ResourceType t = ctx.type;
        plan->render = [t](const json& object) { return scale_of(t, object); };
      }
      return plan;
    }
    auto patched = apply_patch(*type, old, ctx.request.body, ctx.type, ctx.info.name);
    if (!patched) return util::unexpected(patched.error());
    return plan_update(ctx, std::move(*patched), false);
  });
}

}  // namespace druid::testing
