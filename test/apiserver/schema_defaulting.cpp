#include "apiserver/schema_defaulting.hpp"

#include <string>
#include <vector>

namespace druid::testing {
namespace {

using nlohmann::json;

// Go's structural schema has no default when `default` is absent or null.
bool has_default(const json& schema) {
  auto it = schema.find("default");
  return it != schema.end() && !it->is_null();
}

bool nullable(const json& schema) {
  auto it = schema.find("nullable");
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

const json* object_schema(const json& schema, const char* keyword) {
  auto it = schema.find(keyword);
  return it != schema.end() && it->is_object() ? &*it : nullptr;
}

// The schema of `key` in an object: its property, else a schema-valued
// additionalProperties (`additionalProperties: true` has no schema).
const json* field_schema(const json* schema, const std::string& key) {
  if (schema == nullptr) return nullptr;
  if (const json* properties = object_schema(*schema, "properties")) {
    auto it = properties->find(key);
    if (it != properties->end() && it->is_object()) return &*it;
  }
  return object_schema(*schema, "additionalProperties");
}

bool is_non_nullable_null(const json& value, const json* schema) {
  return value.is_null() && schema != nullptr && !nullable(*schema);
}

// PruneNonNullableNullsWithoutDefaults. Array items are never dropped.
void prune_nulls(json& value, const json* schema) {
  if (value.is_object()) {
    std::vector<std::string> drop;
    for (auto& [key, child] : value.items()) {
      const json* child_schema = field_schema(schema, key);
      if (is_non_nullable_null(child, child_schema) && !has_default(*child_schema)) {
        drop.push_back(key);
      } else {
        prune_nulls(child, child_schema);
      }
    }
    for (const auto& key : drop) value.erase(key);
  } else if (value.is_array()) {
    const json* items = schema != nullptr ? object_schema(*schema, "items") : nullptr;
    for (auto& item : value) prune_nulls(item, items);
  }
}

// structuraldefaulting.Default. Defaults are copied, and the copies are walked
// too, so defaults nested in a defaulted object apply.
void default_value(json& value, const json* schema) {
  if (schema == nullptr) return;
  if (value.is_object()) {
    const json* properties = object_schema(*schema, "properties");
    if (properties != nullptr) {
      for (const auto& [key, property] : properties->items()) {
        if (!property.is_object() || !has_default(property)) continue;
        auto it = value.find(key);
        if (it == value.end() || is_non_nullable_null(*it, &property)) {
          value[key] = property.at("default");
        }
      }
    }
    const json* additional = object_schema(*schema, "additionalProperties");
    for (auto& [key, child] : value.items()) {
      if (properties != nullptr && properties->contains(key)) {
        default_value(child, &properties->at(key));
      } else if (additional != nullptr) {
        if (is_non_nullable_null(child, additional)) child = additional->value("default", json());
        default_value(child, additional);
      }
    }
  } else if (value.is_array()) {
    const json* items = object_schema(*schema, "items");
    if (items == nullptr) return;
    for (auto& item : value) {
      if (is_non_nullable_null(item, items)) item = items->value("default", json());
      default_value(item, items);
    }
  }
}

}  // namespace

void apply_schema_defaults(json& object, const json& schema) {
  if (!object.is_object() || !schema.is_object()) return;
  // The server takes ObjectMeta out before and puts it back after, so no
  // schema rule changes metadata.
  auto meta = object.find("metadata");
  const bool had_metadata = meta != object.end();
  json metadata = had_metadata ? std::move(*meta) : json();
  if (had_metadata) object.erase("metadata");
  prune_nulls(object, &schema);
  default_value(object, &schema);
  if (had_metadata) object["metadata"] = std::move(metadata);
}

void default_custom_resource(const ResourceType& type, json& object) {
  if (!type.custom || type.schema.is_null()) return;
  apply_schema_defaults(object, type.schema);
}

}  // namespace druid::testing
