#pragma once
// meta.k8s.io Table responses, built as a Kubernetes API server builds them for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get`
// asks for). Pure functions: the caller passes the objects and the clock.
//
//   {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
//    "metadata": {"resourceVersion": "42", "continue": "..."},
//    "columnDefinitions": [{"name": "Name", "type": "string", "format": "name",
//                           "description": "...", "priority": 0}, ...],
//    "rows": [{"cells": ["etcd-main", "true", ...],
//              "object": {"kind": "PartialObjectMetadata",
//                         "apiVersion": "meta.k8s.io/v1", "metadata": {...}}}]}
//
// Custom resources (apiextensions tableconvertor): a first Name column, then the
// served version's additionalPrinterColumns (the default Age column when it has
// none). A cell is the first value its JSONPath selects: `string` columns print
// it as kubectl's JSONPath does, `integer`/`number`/`boolean` columns keep JSON
// types, `date` columns hold the age ("5m", as the server computes it), a
// missing value is null.
// Built-in types: the columns and cells of the API server's printers
// (pkg/printers/internalversion) for the types served here, always the wide
// set (priority 1 columns included, kubectl hides them without -o wide); other
// types get the default convertor's Name and "Created At" (RFC 3339).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"
#include "util/time.hpp"

namespace druid::testing {

inline constexpr std::string_view kTableV1 = "meta.k8s.io/v1";
inline constexpr std::string_view kTableV1beta1 = "meta.k8s.io/v1beta1";

// Content negotiation: the Table group version ("meta.k8s.io/v1" or
// "meta.k8s.io/v1beta1") when the first media type of `accept` the server can
// serve is a Table; nullopt when a plain representation comes first (or no
// Table is asked for). kubectl sends
// "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json".
std::optional<std::string> negotiate_table(std::string_view accept);
// The same for any `as=<as_kind>;g=meta.k8s.io;v=v1|v1beta1` representation
// (Table, PartialObjectMetadata, PartialObjectMetadataList).
std::optional<std::string> negotiate_as(std::string_view accept, std::string_view as_kind);

// The Content-Type of a Table response: "application/json;as=Table;v=v1;g=meta.k8s.io".
std::string table_content_type(std::string_view table_group_version);

// ?includeObject=: what each row's `object` holds.
enum class IncludeObject {
  kNone,      // null
  kMetadata,  // a PartialObjectMetadata (the default, what kubectl gets)
  kObject,    // the whole object
};

// "", "Metadata", "Object", "None"; anything else is the API server's 400 message
// `includeObject: Invalid value: "x": must be 'Metadata', 'Object', 'None', or empty`.
util::Expected<IncludeObject, std::string> parse_include_object(std::string_view value);

struct TableOptions {
  IncludeObject include_object = IncludeObject::kMetadata;
  bool no_headers = false;  // columnDefinitions null (the watch events after the first)
  std::string group_version = std::string(kTableV1);
};

// What the rows are: the resource, and for custom resources the served
// version's additionalPrinterColumns (a JSON array, as in the CRD).
struct TableSource {
  std::string group;     // "" for the core group
  std::string resource;  // plural: "pods", "etcds"
  bool custom = false;
  nlohmann::json printer_columns = nlohmann::json::array();
};

// The Table of a list: `objects` are the items, `list_meta` the list's metadata
// (resourceVersion, continue and remainingItemCount are copied).
nlohmann::json build_table(const TableSource& source, const std::vector<nlohmann::json>& objects,
                           const nlohmann::json& list_meta, const TableOptions& options,
                           util::Time now);

// The Table of one object (a GET): one row, the object's resourceVersion.
nlohmann::json build_table_for_object(const TableSource& source, const nlohmann::json& object,
                                      const TableOptions& options, util::Time now);

// The column definitions a Table for `source` has (the Name column first).
nlohmann::json table_columns(const TableSource& source);

// meta.AsPartialObjectMetadata with its kind set:
// {"kind": "PartialObjectMetadata", "apiVersion": <group_version>, "metadata": ...}.
nlohmann::json partial_object_metadata(const nlohmann::json& object,
                                       std::string_view group_version = kTableV1);

}  // namespace druid::testing
