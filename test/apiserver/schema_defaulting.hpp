#pragma once
// Structural-schema defaulting of custom resources, as apiextensions-apiserver
// does it whenever it decodes a custom resource: request bodies of create,
// update and patch (after pruning, before validation) and objects read from
// storage, so objects stored without a newer default are served with it.
//
// Two steps, as the server's decoder runs them:
//  1. null values of properties that are neither nullable nor defaulted are
//     dropped (PruneNonNullableNullsWithoutDefaults);
//  2. `default` values are filled in where a property is absent (or null and
//     not nullable), recursively through objects that are present or were just
//     defaulted, map values (additionalProperties) and array items. A default
//     below an absent object is not applied unless that object has a default.
// metadata at the root is never touched (the server reads it as ObjectMeta).

#include <nlohmann/json.hpp>

#include "apiserver/resource_registry.hpp"

namespace druid::testing {

// Applies `schema` (an openAPIV3Schema) to `object` in place.
void apply_schema_defaults(nlohmann::json& object, const nlohmann::json& schema);

// The above for a custom resource of `type`; built-in types are left alone.
void default_custom_resource(const ResourceType& type, nlohmann::json& object);

}  // namespace druid::testing
