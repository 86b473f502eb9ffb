#pragma once
// PATCH bodies by content type, with the answers a real server gives when a
// patch does not apply. The patch algorithms live in src/kube/patch.hpp
// (merge patch), json_patch.hpp (JSON patch) and strategic_merge.hpp.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "apiserver/resource_registry.hpp"
#include "apiserver/status.hpp"
#include "util/expected.hpp"

namespace druid::testing {

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

// From the Content-Type header (parameters ignored); 415 for anything else and
// for strategic merge patches of custom resources.
util::Expected<PatchType, StatusError> patch_type(std::string_view content_type,
                                                  const ResourceType& type);

// Applies `body` to `current`. `name` names the object in error messages.
util::Expected<nlohmann::json, StatusError> apply_patch(PatchType patch_type,
                                                        const nlohmann::json& current,
                                                        const std::string& body,
                                                        const ResourceType& type,
                                                        const std::string& name);

}  // namespace druid::testing
