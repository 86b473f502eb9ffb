#include "apiserver/scale.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace druid::testing {
namespace {

using nlohmann::json;

// ".spec.replicas" -> "/spec/replicas"
json::json_pointer pointer(const std::string& path) {
  std::string p = path;
  std::replace(p.begin(), p.end(), '.', '/');
  if (p.empty() || p.front() != '/') p.insert(p.begin(), '/');
  return json::json_pointer(p);
}

const json* at_path(const json& object, const std::string& path) {
  if (path.empty()) return nullptr;
  auto ptr = pointer(path);
  return object.contains(ptr) ? &object.at(ptr) : nullptr;
}

}  // namespace

std::string label_selector_string(const json& selector) {
  if (!selector.is_object()) return {};
  std::multimap<std::string, std::string> terms;  // sorted by key, as labels.Selector prints
  const json match_labels = selector.value("matchLabels", json::object());
  for (const auto& [k, v] : match_labels.items()) {
    terms.emplace(k, k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  }
  for (const auto& e : selector.value("matchExpressions", json::array())) {
    std::string key = e.value("key", "");
    std::string op = e.value("operator", "");
    std::vector<std::string> values;
    for (const auto& v : e.value("values", json::array())) {
      if (v.is_string()) values.push_back(v.get<std::string>());
    }
    std::sort(values.begin(), values.end());
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
    if (op == "In") {
      terms.emplace(key, key + " in (" + joined + ")");
    } else if (op == "NotIn") {
      terms.emplace(key, key + " notin (" + joined + ")");
    } else if (op == "Exists") {
      terms.emplace(key, key);
    } else if (op == "DoesNotExist") {
      terms.emplace(key, "!" + key);
    }
  }
  std::string out;
  for (const auto& [k, t] : terms) out += (out.empty() ? "" : ",") + t;
  return out;
}

json scale_of(const ResourceType& type, const json& object) {
  const ScaleSubresource& s = *type.scale;
  const json& meta = object.at("metadata");
  json scale_meta = json::object();
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (meta.contains(field)) scale_meta[field] = meta[field];
  }
  json spec = json::object();
  if (const json* r = at_path(object, s.spec_replicas_path); r && r->is_number_integer()) {
    spec["replicas"] = *r;
  }
  json status = {{"replicas", 0}};
  if (const json* r = at_path(object, s.status_replicas_path); r && r->is_number_integer()) {
    status["replicas"] = *r;
  }
  if (s.selector_from_spec) {
    if (const json* sel = at_path(object, ".spec.selector")) {
      std::string text = label_selector_string(*sel);
      if (!text.empty()) status["selector"] = text;
    }
  } else if (const json* sel = at_path(object, s.label_selector_path);
             sel && sel->is_string() && !sel->get<std::string>().empty()) {
    status["selector"] = *sel;
  }
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", scale_meta},
          {"spec", spec},
          {"status", status}};
}

util::Expected<json, StatusError> apply_scale(const ResourceType& type, const json& object,
                                              const json& scale) {
  const std::string name = object.at("metadata").value("name", "");
  if (!scale.is_object()) return util::unexpected(bad_request("the body is not a Scale"));
  if (scale.contains("kind") && scale["kind"] != "Scale") {
    return util::unexpected(bad_request(
        fmt::format("Scale in version \"v1\" cannot be handled as a Scale: the kind {} is not a "
                    "Scale",
                    scale["kind"].dump())));
  }
  json replicas = scale.contains("spec") && scale["spec"].is_object()
                      ? scale["spec"].value("replicas", json(0))
                      : json(0);
  const api::FieldPath field = api::FieldPath("spec").child("replicas");
  if (!replicas.is_number_integer()) {
    return util::unexpected(invalid({"autoscaling", "Scale"}, name,
                                    {api::invalid_error(field, replicas, "must be an integer")}));
  }
  if (replicas.get<std::int64_t>() < 0) {
    return util::unexpected(
        invalid({"autoscaling", "Scale"}, name,
                {api::invalid_error(field, replicas, "must be greater than or equal to 0")}));
  }
  json out = object;
  out[pointer(type.scale->spec_replicas_path)] = replicas;
  return out;
}

}  // namespace druid::testing
