#pragma once
// The CRD validation a real server runs for druid's custom resources (schema
// and CEL rules), delegated to the project's C++ validation
// (src/api/validation). Other custom resources are accepted as they are.

#include <nlohmann/json.hpp>

#include "api/field_error.hpp"
#include "apiserver/resource_registry.hpp"

namespace druid::testing {

// `old` is null on create.
api::FieldErrors validate_custom_resource(const ResourceType& type, const nlohmann::json& object,
                                          const nlohmann::json& old);

}  // namespace druid::testing
