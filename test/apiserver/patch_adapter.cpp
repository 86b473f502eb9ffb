#include "apiserver/patch_adapter.hpp"

#include "apiserver/json_patch.hpp"
#include "apiserver/media_types.hpp"
#include "apiserver/strategic_merge.hpp"
#include "kube/patch.hpp"
#include "util/yaml.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

StatusError from_patch_error(const PatchError& e, const ResourceType& type,
                             const std::string& name) {
  switch (e.kind) {
    case PatchErrorKind::kBadRequest:
      return bad_request(e.message);
    case PatchErrorKind::kTooLarge:
      return request_entity_too_large(e.message);
    case PatchErrorKind::kInternal: {
      StatusError s;
      s.code = 500;
      s.message = e.message;
      return s;
    }
    case PatchErrorKind::kUnprocessable:
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

util::Expected<json, StatusError> parse_body(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return util::unexpected(bad_request("error decoding patch: invalid JSON in the request body"));
  }
  return parsed;
}

}  // namespace

util::Expected<PatchType, StatusError> patch_type(std::string_view content_type,
                                                  const ResourceType& type) {
  const std::string_view media = media_type_of(content_type);
  if (media == "application/merge-patch+json") return PatchType::kMerge;
  if (media == "application/json-patch+json") return PatchType::kJson;
  if (media == "application/apply-patch+yaml") return PatchType::kApply;
  if (media == "application/strategic-merge-patch+json" && !type.custom) {
    return PatchType::kStrategicMerge;
  }
  return util::unexpected(unsupported_media_type(std::string(media), type.custom));
}

util::Expected<json, StatusError> apply_patch(PatchType patch_type, const json& current,
                                              const std::string& body, const ResourceType& type,
                                              const std::string& name) {
  if (patch_type == PatchType::kApply) {
    // Server-side apply without field ownership: the applied configuration is
    // merged over the live object.
    auto applied = util::parse_yaml(body);
    if (!applied) return util::unexpected(bad_request(applied.error().message()));
    return kube::apply_merge_patch(current, *applied);
  }
  auto patch = parse_body(body);
  if (!patch) return util::unexpected(patch.error());
  switch (patch_type) {
    case PatchType::kMerge:
      if (!patch->is_object()) {
        return util::unexpected(bad_request("json: cannot unmarshal " +
                                            std::string(patch->type_name()) +
                                            " into Go value of type map[string]interface {}"));
      }
      return kube::apply_merge_patch(current, *patch);
    case PatchType::kJson: {
      auto result = apply_json_patch(current, *patch);
      if (!result) return util::unexpected(from_patch_error(result.error(), type, name));
      return std::move(*result);
    }
    case PatchType::kStrategicMerge: {
      auto result =
          apply_strategic_merge_patch(current, *patch, builtin_patch_meta(type.group, type.kind));
      if (!result) return util::unexpected(from_patch_error(result.error(), type, name));
      return std::move(*result);
    }
    case PatchType::kApply:
      break;
  }
  return util::unexpected(internal_error("unknown patch type"));
}

}  // namespace druid::testing
