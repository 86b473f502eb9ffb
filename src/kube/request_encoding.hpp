#pragma once
// How request options travel to the API server: list options as query
// parameters, DeleteOptions as the body, patch types as content types. The
// client sends them so; anything that speaks the API without HTTP (the unit
// tests' in-memory API) encodes them the same way.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/client.hpp"

namespace druid::kube {

// The query parameters of `options` that are set, in the order client-go sends them
// (labelSelector, fieldSelector, limit, continue, resourceVersion, resourceVersionMatch);
// values are not yet percent-encoded.
std::vector<std::pair<std::string, std::string>> list_query_parameters(const ListOptions& options);

// A meta/v1 DeleteOptions object.
nlohmann::json delete_options_body(const DeleteOptions& options);

// "application/merge-patch+json", "application/json-patch+json" or
// "application/strategic-merge-patch+json".
std::string_view patch_content_type(PatchType type);

}  // namespace druid::kube
