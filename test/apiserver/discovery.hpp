#pragma once
// The legacy discovery documents (/api, /apis, /apis/<g>, /apis/<g>/<v>,
// /api/v1) and /version, built from the registry. kubectl asks for the
// aggregated format first and falls back to these when the answer is plain JSON.

#include <nlohmann/json.hpp>
#include <string>

#include "apiserver/resource_registry.hpp"

namespace druid::testing {

inline constexpr const char* kServedKubernetesVersion = "v1.32.0";

nlohmann::json api_versions(const std::string& server_address);
nlohmann::json api_group_list(const ResourceRegistry& registry);
// null when the group is not served.
nlohmann::json api_group(const ResourceRegistry& registry, const std::string& group);
// null when the group/version is not served.
nlohmann::json api_resource_list(const ResourceRegistry& registry, const std::string& group,
                                 const std::string& version);
nlohmann::json version_info();

}  // namespace druid::testing
