#include "apiserver/table_adapter.hpp"

#include <chrono>

namespace druid::testing {
namespace {

TableSource source_of(const ResourceType& type) {
  TableSource s;
  s.group = type.group;
  s.resource = type.plural;
  s.custom = type.custom;
  s.printer_columns = type.printer_columns;
  return s;
}

util::Time now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

}  // namespace

util::Expected<std::optional<TableOptions>, StatusError> table_request(const std::string& accept,
                                                                       const QueryParams& query) {
  auto group_version = negotiate_table(accept);
  if (!group_version) return std::optional<TableOptions>();
  auto include = parse_include_object(query_value(query, "includeObject"));
  if (!include) return util::unexpected(bad_request(include.error()));
  TableOptions options;
  options.group_version = *group_version;
  options.include_object = *include;
  return std::optional<TableOptions>(options);
}

std::string table_response_content_type(const TableOptions& options) {
  return table_content_type(options.group_version);
}

nlohmann::json list_table(const ResourceType& type, const std::vector<nlohmann::json>& objects,
                          const nlohmann::json& list_meta, const TableOptions& options) {
  return build_table(source_of(type), objects, list_meta, options, now());
}

nlohmann::json object_table(const ResourceType& type, const nlohmann::json& object,
                            const TableOptions& options) {
  return build_table_for_object(source_of(type), object, options, now());
}

}  // namespace druid::testing
