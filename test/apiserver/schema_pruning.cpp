#include "apiserver/schema_pruning.hpp"

#include <algorithm>

namespace druid::testing {
namespace {

using nlohmann::json;

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

void prune(json& value, const json& schema, const std::string& path,
           std::vector<std::string>& unknown) {
  if (!schema.is_object()) return;
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      prune(value[i], schema["items"], path + "[" + std::to_string(i) + "]", unknown);
    }
    return;
  }
  if (!value.is_object()) return;
  const bool preserve = schema.value("x-kubernetes-preserve-unknown-fields", false);
  const bool embedded = schema.value("x-kubernetes-embedded-resource", false);
  const json properties = schema.value("properties", json::object());
  const json additional = schema.value("additionalProperties", json());
  std::vector<std::string> drop;
  for (auto& [key, child] : value.items()) {
    if (properties.contains(key)) {
      prune(child, properties[key], child_path(path, key), unknown);
    } else if (additional.is_object()) {
      prune(child, additional, child_path(path, key), unknown);
    } else if (additional.is_boolean() && additional.get<bool>()) {
      continue;
    } else if (embedded && (key == "apiVersion" || key == "kind" || key == "metadata")) {
      continue;
    } else if (!preserve) {
      drop.push_back(key);
    }
  }
  for (const auto& key : drop) {
    unknown.push_back(child_path(path, key));
    value.erase(key);
  }
}

}  // namespace

std::vector<std::string> prune_unknown_fields(json& object, const json& schema) {
  std::vector<std::string> unknown;
  if (!object.is_object() || !schema.is_object()) return unknown;
  json root_schema = schema;
  // Every object's type and metadata are known, whatever the schema lists
  // (ObjectMeta is checked by the server's own rules, not the CRD's schema).
  root_schema["properties"]["apiVersion"] = json::object();
  root_schema["properties"]["kind"] = json::object();
  root_schema["properties"]["metadata"] = {{"x-kubernetes-preserve-unknown-fields", true}};
  prune(object, root_schema, "", unknown);
  std::sort(unknown.begin(), unknown.end());
  return unknown;
}

}  // namespace druid::testing
