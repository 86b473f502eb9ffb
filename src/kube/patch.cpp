#include "kube/patch.hpp"

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <vector>

namespace druid::kube {

using nlohmann::json;

// ---------------------------------------------------------------------------
// RFC 7386

json apply_merge_patch(const json& target, const json& patch) {
  if (!patch.is_object()) return patch;
  json result = target.is_object() ? target : json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      result.erase(key);
      continue;
    }
    auto it = result.find(key);
    result[key] = apply_merge_patch(it != result.end() ? *it : json(nullptr), value);
  }
  return result;
}

namespace {

json diff_objects(const json& original, const json& modified) {
  json patch = json::object();
  for (const auto& [key, value] : original.items()) {
    if (!modified.contains(key)) patch[key] = nullptr;
  }
  for (const auto& [key, value] : modified.items()) {
    auto it = original.find(key);
    if (it == original.end()) {
      patch[key] = value;
    } else if (*it != value) {
      patch[key] = it->is_object() && value.is_object() ? diff_objects(*it, value) : value;
    }
  }
  return patch;
}

}  // namespace

json create_merge_patch(const json& original, const json& modified) {
  if (original == modified) return json::object();
  if (original.is_object() && modified.is_object()) return diff_objects(original, modified);
  return modified;
}

}  // namespace druid::kube
