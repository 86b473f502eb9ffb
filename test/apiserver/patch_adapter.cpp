#include "apiserver/patch_adapter.hpp"

#include "api/yaml.hpp"
#include "apiserver/media_types.hpp"
#include "kube/patch.hpp"

#if __has_include("kube/strategic_merge.hpp")
#include "kube/strategic_merge.hpp"
#define DRUID_HAVE_STRATEGIC_MERGE 1
#endif

namespace druid::testing {
namespace {

using nlohmann::json;

StatusError from_patch_error(const kube::PatchError& e, const ResourceType& type,
                             const std::string& name) {
  switch (e.kind) {
    case kube::PatchErrorKind::kBadRequest:
      return bad_request(e.message);
    case kube::PatchErrorKind::kTooLarge:
      return request_entity_too_large(e.message);
    case kube::PatchErrorKind::kInternal: {
      StatusError s;
      s.code = 500;
      s.message = e.message;
      return s;
    }
    case kube::PatchErrorKind::kUnprocessable:
      break;
  }
  // apimachinery NewGenericServerResponse(422, "patch", ...).
  StatusError s;
  s.code = 422;
  s.reason = "Invalid";
  s.message = "the server rejected our request due to an error in our request";
  s.details = {
      {"name", name},
      {"kind", type.plural},
      {"causes", json::array({{{"reason", "UnexpectedServerResponse"}, {"message", e.message}}})}};
  if (!type.group.empty()) s.details["group"] = type.group;
  return s;
}

api::Expected<json, StatusError> parse_body(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return api::unexpected(bad_request("error decoding patch: invalid JSON in the request body"));
  }
  return parsed;
}

}  // namespace

bool strategic_merge_available() {
#ifdef DRUID_HAVE_STRATEGIC_MERGE
  return true;
#else
  return false;
#endif
}

api::Expected<PatchType, StatusError> patch_type(std::string_view content_type,
                                                 const ResourceType& type) {
  const std::string_view media = media_type_of(content_type);
  if (media == "application/merge-patch+json") return PatchType::kMerge;
  if (media == "application/json-patch+json") return PatchType::kJson;
  if (media == "application/apply-patch+yaml") return PatchType::kApply;
  if (media == "application/strategic-merge-patch+json" && !type.custom) {
    return PatchType::kStrategicMerge;
  }
  return api::unexpected(unsupported_media_type(std::string(media), type.custom));
}

api::Expected<json, StatusError> apply_patch(PatchType patch_type, const json& current,
                                             const std::string& body, const ResourceType& type,
                                             const std::string& name) {
  if (patch_type == PatchType::kApply) {
    // Server-side apply without field ownership: the applied configuration is
    // merged over the live object.
    auto applied = api::parse_yaml(body);
    if (!applied) return api::unexpected(bad_request(applied.error().message()));
    return kube::apply_merge_patch(current, *applied);
  }
  auto patch = parse_body(body);
  if (!patch) return api::unexpected(patch.error());
  switch (patch_type) {
    case PatchType::kMerge:
      if (!patch->is_object()) {
        return api::unexpected(bad_request("json: cannot unmarshal " +
                                           std::string(patch->type_name()) +
                                           " into Go value of type map[string]interface {}"));
      }
      return kube::apply_merge_patch(current, *patch);
    case PatchType::kJson: {
      auto result = kube::apply_json_patch(current, *patch);
      if (!result) return api::unexpected(from_patch_error(result.error(), type, name));
      return std::move(*result);
    }
    case PatchType::kStrategicMerge: {
#ifdef DRUID_HAVE_STRATEGIC_MERGE
      auto result = kube::apply_strategic_merge_patch(
          current, *patch, kube::builtin_patch_meta(type.group, type.kind));
      if (!result) return api::unexpected(from_patch_error(result.error(), type, name));
      return std::move(*result);
#else
      return kube::apply_merge_patch(current, *patch);
#endif
    }
    case PatchType::kApply:
      break;
  }
  return api::unexpected(internal_error("unknown patch type"));
}

}  // namespace druid::testing
