#pragma once
// Table responses for kubectl get (Accept: application/json;as=Table;v=v1;g=meta.k8s.io):
// the request side (content negotiation, ?includeObject) and the bridge from
// the registry's types to table.hpp's builder.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apiserver/list_options.hpp"
#include "apiserver/resource_registry.hpp"
#include "apiserver/status.hpp"
#include "apiserver/table.hpp"
#include "util/expected.hpp"

namespace druid::testing {

// The table options a request asks for, nullopt when it wants plain objects;
// 400 for a bad ?includeObject.
util::Expected<std::optional<TableOptions>, StatusError> table_request(const std::string& accept,
                                                                       const QueryParams& query);

// The Content-Type of a Table answer.
std::string table_response_content_type(const TableOptions& options);

nlohmann::json list_table(const ResourceType& type, const std::vector<nlohmann::json>& objects,
                          const nlohmann::json& list_meta, const TableOptions& options);
nlohmann::json object_table(const ResourceType& type, const nlohmann::json& object,
                            const TableOptions& options);

}  // namespace druid::testing
