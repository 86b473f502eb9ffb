#pragma once
// The checks a Kubernetes API server (v1.32) applies to a custom resource,
// with its exact wording, for reuse by every kind's validation:
//
//  - preparing the object as the server does before validating it (pruning),
//  - the OpenAPI schema keywords (kube-openapi's messages): pattern, enum,
//    maxLength, minLength, maxItems, minItems, minimum, and listType=set
//    uniqueness,
//  - the shape of a failed CEL rule (x-kubernetes-validations) and the CEL
//    library functions the druid CRDs use (isURL, int(string)),
//  - the rule that no CEL rule runs once the schema found a blocking error,
//  - validation ratcheting on update (an unchanged value is not re-checked),
//  - metadata.name / apiVersion / kind checks every custom resource gets.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.hpp"
#include "api/field_error.hpp"
#include "api/field_path.hpp"
#include "api/object_meta.hpp"
#include "util/expected.hpp"

namespace druid::api::validation {

// ---------------------------------------------------------------------------
// Preparing the object

// What the API server validates: keys the schema does not know are pruned, and
// null values of (non-nullable) properties are dropped so they count as absent.
// The root's `metadata` keeps its unknown keys (the server reads it as
// ObjectMeta). Values of pass-through (kAny) nodes lose their null properties.
nlohmann::json prune_for_validation(const nlohmann::json& object, const SchemaNode& schema);

// ---------------------------------------------------------------------------
// OpenAPI schema keywords. Each check appends at most one error to `errors`.

using StringMatcher = bool (*)(std::string_view);

// `pattern`: "<path> in body should match '<pattern>'" (Invalid, with the value).
void check_pattern(FieldErrors& errors, const FieldPath& path, const std::string& value,
                   std::string_view pattern, StringMatcher matches);
// `enum`: `Unsupported value: "x": supported values: "a", "b"`.
void check_enum(FieldErrors& errors, const FieldPath& path, const std::string& value,
                const std::vector<std::string>& allowed);
// `maxLength`, counted in characters: "Too long: may not be longer than 63".
void check_max_length(FieldErrors& errors, const FieldPath& path, const std::string& value,
                      std::size_t max_length);
// `minLength`: "<path> in body should be at least N chars long" (Invalid).
void check_min_length(FieldErrors& errors, const FieldPath& path, const std::string& value,
                      std::size_t min_length);
// `maxItems`: "Too many: 11: must have at most 10 items".
void check_max_items(FieldErrors& errors, const FieldPath& path, std::size_t count,
                     std::size_t max_items);
// `minItems`: "<path> in body should have at least N items" (Invalid, value = count).
void check_min_items(FieldErrors& errors, const FieldPath& path, std::size_t count,
                     std::size_t min_items);
// `minimum`: "<path> in body should be greater than or equal to N" (Invalid).
void check_minimum(FieldErrors& errors, const FieldPath& path, std::int64_t value,
                   std::int64_t minimum);
// `format: date-time` (RFC 3339): "<path> in body must be of type date-time: "<value>""
// (a type error, as kube-openapi reports formats).
void check_date_time(FieldErrors& errors, const FieldPath& path, const std::string& value);
// `x-kubernetes-list-type: set` of scalars: a Duplicate error on `path[i]` for
// every item equal to an earlier one. Non-arrays are ignored.
void check_unique_set(FieldErrors& errors, const FieldPath& path, const nlohmann::json& list);

// Number of characters (UTF-8 code points) of a valid UTF-8 string.
std::size_t character_count(std::string_view text);

// ---------------------------------------------------------------------------
// Patterns used by the druid CRDs, as text (for messages) and as matchers.

// Kubernetes quantity strings (int-or-string quantities accept any integer).
inline constexpr const char* kQuantityPattern =
    "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\."
    "[0-9]*)?)|(\\.[0-9]+))))?$";
bool matches_quantity_pattern(std::string_view text);

// An RFC 1123 label, as the CRDs spell it.
inline constexpr const char* kDns1123LabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

// StoreSpec.container: 3..63 characters, no shell metacharacters.
inline constexpr const char* kStoreContainerPattern =
    "^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$";
bool matches_store_container_pattern(std::string_view text);

// ---------------------------------------------------------------------------
// CEL (x-kubernetes-validations)

// A rule that evaluated to false on a node whose schema type is `schema_type`
// ("object", "string", "integer", "array"):
//   spec.replicas: Invalid value: "integer": Replicas can either be increased ...
// The root object's path prints as "<nil>".
FieldError cel_rule_error(const FieldPath& path, std::string_view schema_type,
                          std::string_view message);
// A rule whose evaluation failed: "<cel error> evaluating rule: <message>".
FieldError cel_evaluation_error(const FieldPath& path, std::string_view schema_type,
                                std::string_view cel_error, std::string_view message);

// CEL's isURL(s) in Kubernetes: Go's net/url.ParseRequestURI accepts `s`
// (an absolute URI with a scheme, or an absolute path; valid host and port
// after "//"; no control characters; well-formed %-escapes).
bool cel_is_url(std::string_view text);

// CEL's int(string): Go's strconv.ParseInt(s, 10, 64). The error is CEL's text.
util::Expected<std::int64_t, std::string> cel_string_to_int(std::string_view text);

// CEL's duration(string) failure text (the parse itself is parse_duration()).
inline constexpr const char* kCelDurationConversionError =
    "type conversion error from 'string' to 'google.protobuf.Duration'";

// apiextensions-apiserver runs no CEL rule when the schema validation found a
// type, required, enum, maxLength or maxItems error (Invalid errors such as a
// failed pattern do not block); it adds this error instead.
bool is_blocking(const FieldError& error);
bool has_blocking_error(const FieldErrors& errors);
FieldError rules_not_checked_error();

// ---------------------------------------------------------------------------
// Validation ratcheting (CRDValidationRatcheting, on by default in v1.32)
//
// On update, a schema error or an error of a CEL rule without oldSelf is
// dropped when the value it is about is unchanged. "The value" is the nearest
// node on the error's path that can be correlated with the old object: object
// properties correlate by name; items of atomic lists and sets do not, so an
// error inside such a list counts as unchanged only when the whole list is.
// Required-value errors are about their parent object.

bool is_ratcheted(const FieldError& error, const nlohmann::json& new_object,
                  const nlohmann::json& old_object);
// Removes the ratcheted errors from `errors`.
void drop_ratcheted(FieldErrors& errors, const nlohmann::json& new_object,
                    const nlohmann::json& old_object);

// ---------------------------------------------------------------------------
// What every custom resource gets

// apiVersion and kind must be the CRD's (checked only when present). When
// this returns errors, the server reports nothing else.
FieldErrors validate_type_meta(const nlohmann::json& object, std::string_view api_version,
                               std::string_view kind);

// metadata on create: the name (or generateName) must be a DNS subdomain;
// "name or generateName is required".
FieldErrors validate_object_meta(const ObjectMeta& meta);
// metadata on update: name and namespace are immutable.
FieldErrors validate_object_meta_update(const ObjectMeta& new_meta, const ObjectMeta& old_meta);

}  // namespace druid::api::validation
