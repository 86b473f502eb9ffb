#pragma once
// Tolerant reads of JSON objects received from an API server: a missing or
// mistyped field reads as empty instead of throwing, because the code reading
// it (caches, error parsing, predicates) must never fail on a malformed object.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace druid::api {

// The object's "metadata", or an empty object.
inline const nlohmann::json& metadata_of(const nlohmann::json& object) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

// object[key] when it is a string, otherwise "".
inline std::string string_field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace druid::api
