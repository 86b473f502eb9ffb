#pragma once
// PATCH bodies by content type, with the answers a real server gives when a
// patch does not apply. The patch algorithms themselves live in src/kube
// (merge and JSON patch) and src/kube/strategic_merge (strategic merge).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/expected.hpp"
#include "apiserver/resource_registry.hpp"
#include "apiserver/status.hpp"

namespace druid::testing {

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

// From the Content-Type header (parameters ignored); 415 for anything else and
// for strategic merge patches of custom resources.
api::Expected<PatchType, StatusError> patch_type(std::string_view content_type,
                                                 const ResourceType& type);

// Applies `body` to `current`. `name` names the object in error messages.
api::Expected<nlohmann::json, StatusError> apply_patch(PatchType patch_type,
                                                       const nlohmann::json& current,
                                                       const std::string& body,
                                                       const ResourceType& type,
                                                       const std::string& name);

// Whether strategic merge patches use the real algorithm (src/kube/strategic_merge)
// rather than the merge-patch stand-in.
bool strategic_merge_available();

}  // namespace druid::testing
