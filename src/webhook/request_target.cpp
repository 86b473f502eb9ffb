#include "webhook/request_target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace druid::webhook {
namespace {

using nlohmann::json;

struct GroupKind {
  const char* group;
  const char* kind;
};

// Judged by their own metadata.
constexpr std::array<GroupKind, 8> kSelfJudgedKinds{{
    {"", "ServiceAccount"},
    {"", "Service"},
    {"", "ConfigMap"},
    {"rbac.authorization.k8s.io", "Role"},
    {"rbac.authorization.k8s.io", "RoleBinding"},
    {"apps", "StatefulSet"},
    {"policy", "PodDisruptionBudget"},
    {"coordination.k8s.io", "Lease"},
}};

bool is(const GroupVersionKind& kind, const char* group, const char* name) {
  return kind.group == group && kind.kind == name;
}

bool is_self_judged(const GroupVersionKind& kind) {
  return std::ranges::any_of(kSelfJudgedKinds,
                             [&](const GroupKind& gk) { return is(kind, gk.group, gk.kind); });
}

// Upstream's DruidError text: "[Operation: <op>, Code: <code>] <cause or message>".
TargetError failure(int code, const char* operation, const char* error_code,
                    const std::string& text) {
  return {code, fmt::format("[Operation: {}, Code: {}] {}", operation, error_code, text)};
}

const char* go_json_type(const json& value) {
  if (value.is_string()) return "string";
  if (value.is_number()) return "number";
  if (value.is_boolean()) return "bool";
  if (value.is_array()) return "array";
  return "value";
}

// What decoding an object as unstructured rejects: no content, not an
// object, no kind. The cause text is the one Go's decoders print.
util::Expected<void, std::string> check_decodable(const json& raw) {
  if (raw.is_null()) return util::unexpected(std::string("there is no content to decode"));
  if (!raw.is_object()) {
    return util::unexpected(
        fmt::format("json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    go_json_type(raw)));
  }
  const auto kind = raw.find("kind");
  if (kind == raw.end() || !kind->is_string() || kind->get<std::string>().empty()) {
    return util::unexpected(fmt::format("Object 'Kind' is missing in '{}'", raw.dump()));
  }
  return {};
}

std::string string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Like Go's unstructured getters: fields of the wrong type read as unset.
TargetMeta meta_of(const json& metadata, const std::string& fallback_namespace) {
  TargetMeta meta;
  if (!metadata.is_object()) {
    meta.namespace_ = fallback_namespace;
    return meta;
  }
  meta.name = string_field(metadata, "name");
  meta.namespace_ = string_field(metadata, "namespace");
  if (meta.namespace_.empty()) meta.namespace_ = fallback_namespace;
  const auto labels = metadata.find("labels");
  if (labels != metadata.end() && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      if (value.is_string()) meta.labels[key] = value.get<std::string>();
    }
  }
  const auto deletion = metadata.find("deletionTimestamp");
  meta.being_deleted = deletion != metadata.end() && !deletion->is_null();
  return meta;
}

// The request's object as metadata: oldObject for DELETE (it is the object
// being deleted), object otherwise; UPDATE needs both to decode.
util::Expected<TargetMeta, TargetError> decode_request_meta(const AdmissionRequest& request) {
  auto decode = [&](const json& raw) -> util::Expected<TargetMeta, TargetError> {
    if (auto decodable = check_decodable(raw); !decodable) {
      return util::unexpected(
          failure(400, "decodeObjectAsUnstructured", kErrDecodeRequestObject, decodable.error()));
    }
    return meta_of(raw.value("metadata", json()), request.namespace_);
  };
  if (request.operation == kOperationDelete) return decode(request.old_object);
  if (request.operation == kOperationCreate) return decode(request.object);
  if (request.operation == kOperationUpdate) {
    auto object = decode(request.object);
    if (!object) return object;
    auto old_object = decode(request.old_object);
    if (!old_object) return old_object;
    return object;
  }
  return util::unexpected(
      failure(400, "doDecodeRequestObjects", kErrDecodeRequestObject, "unsupported operation"));
}

Target scale_target(const AdmissionRequest& request, ComponentLookup& lookup) {
  if (request.resource.group != "apps" || request.resource.resource != "statefulsets") {
    return std::optional<TargetMeta>();
  }
  auto metadata = lookup.get_statefulset_metadata(request.namespace_, request.name);
  if (!metadata) {
    return util::unexpected(failure(500, "GetStatefulSetPartialObjectMetaFromScaleSubResource",
                                    kErrGetStatefulSet, metadata.error()));
  }
  return std::optional<TargetMeta>(meta_of(*metadata, request.namespace_));
}

Target pvc_target(const AdmissionRequest& request, ComponentLookup& lookup) {
  auto pvc = decode_request_meta(request);
  if (!pvc) return util::unexpected(pvc.error());
  if (pvc->labels.empty()) {
    return util::unexpected(failure(
        500, "GetStatefulSetPartialObjMetaFromPVC", kErrGetStatefulSet,
        fmt::format("resource {}/{} does not have any labels", request.namespace_, request.name)));
  }
  auto matching = lookup.list_statefulset_metadata(request.namespace_, pvc->labels);
  if (!matching) {
    return util::unexpected(
        failure(500, "GetStatefulSetPartialObjMetaFromPVC", kErrGetStatefulSet, matching.error()));
  }
  if (matching->size() > 1) {
    return util::unexpected(
        failure(500, "FetchStatefulSetByLabels", kErrTooManyMatchingStatefulSets,
                "found more than one StatefulSet for labels: " + go_map_string(pvc->labels)));
  }
  if (matching->empty()) return std::optional<TargetMeta>();
  return std::optional<TargetMeta>(meta_of(matching->front(), request.namespace_));
}

}  // namespace

Target resolve_target(const AdmissionRequest& request, ComponentLookup& lookup) {
  if (is_self_judged(request.kind)) {
    auto meta = decode_request_meta(request);
    if (!meta) return util::unexpected(meta.error());
    return std::optional<TargetMeta>(std::move(*meta));
  }
  if (is(request.kind, "autoscaling", "Scale")) return scale_target(request, lookup);
  if (is(request.kind, "", "PersistentVolumeClaim")) return pvc_target(request, lookup);
  return std::optional<TargetMeta>();
}

std::string group_kind_string(const GroupVersionKind& kind) {
  return kind.group.empty() ? kind.kind : kind.kind + "." + kind.group;
}

std::string object_key(const TargetMeta& meta) {
  return meta.namespace_ + "/" + meta.name;
}

std::string go_map_string(const util::Labels& labels) {
  std::string out = "map[";
  bool first = true;
  for (const auto& [key, value] : labels) {  // std::map: sorted, as fmt prints Go maps
    if (!first) out += ' ';
    out.append(key).append(":").append(value);
    first = false;
  }
  return out + "]";
}

}  // namespace druid::webhook
