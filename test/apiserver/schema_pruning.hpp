#pragma once
// Structural-schema pruning of custom resources: fields a CRD's openAPIV3Schema
// does not declare are dropped (unless x-kubernetes-preserve-unknown-fields),
// and reported so the server can answer ?fieldValidation=Strict with 400 and
// Warn (the default) with Warning headers, as a real server does.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace druid::testing {

// Removes undeclared fields from `object` (apiVersion, kind and metadata at the
// root are always kept); returns their paths, e.g. "spec.foo", "spec.list[0].x".
std::vector<std::string> prune_unknown_fields(nlohmann::json& object, const nlohmann::json& schema);

}  // namespace druid::testing
