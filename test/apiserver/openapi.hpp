#pragma once
// The part of OpenAPI v3 (/openapi/v3, /openapi/v3/apis/<g>/<v>) that kubectl
// reads before apply/create/edit: which operations accept the fieldValidation
// query parameter. With it, kubectl leaves validation to the server
// (?fieldValidation=Strict) instead of downloading schemas for client-side
// checks (which it cannot do without /openapi/v2 and would then refuse to
// apply). Schemas are served for custom resources only (kubectl explain);
// kubectl computes strategic merge patches of built-in types from its
// compiled-in types, and merge patches for custom resources.

#include <nlohmann/json.hpp>
#include <string>

#include "apiserver/resource_registry.hpp"

namespace druid::testing {

// {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}}
nlohmann::json openapi_v3_root(const ResourceRegistry& registry);

// The document of one group/version ("" group for the core API); null when not served.
nlohmann::json openapi_v3_document(const ResourceRegistry& registry, const std::string& group,
                                   const std::string& version);

}  // namespace druid::testing
