#pragma once
// Tolerant reads of JSON objects received from an API server: a missing or
// mistyped field reads as empty instead of throwing, because the code reading
// it (caches, error parsing, predicates) must never fail on a malformed object.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace druid::util {

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

// The owner reference of `object` marked controller: true, as apimachinery's
// metav1.GetControllerOf: the first such reference, nullptr when there is none.
inline const nlohmann::json* controller_reference_of(const nlohmann::json& object) {
  const nlohmann::json& metadata = metadata_of(object);
  const auto refs = metadata.find("ownerReferences");
  if (refs == metadata.end() || !refs->is_array()) return nullptr;
  for (const auto& ref : *refs) {
    if (!ref.is_object()) continue;
    const auto controller = ref.find("controller");
    if (controller != ref.end() && controller->is_boolean() && controller->get<bool>()) return &ref;
  }
  return nullptr;
}

// Whether `object`'s controller reference names `uid` (metav1.IsControlledBy).
// An empty uid, an owner not created yet, controls nothing.
inline bool is_controlled_by(const nlohmann::json& object, std::string_view uid) {
  const nlohmann::json* ref = controller_reference_of(object);
  return ref != nullptr && !uid.empty() && string_field(*ref, "uid") == uid;
}

}  // namespace druid::util
