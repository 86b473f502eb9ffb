#pragma once
// Kubernetes-style field errors (k8s.io/apimachinery/pkg/util/validation/field):
// the same types, the same text, so a user sees from us exactly what a real API
// server would print, e.g.
//   spec.replicas: Invalid value: "integer": Replicas can either be increased or be downscaled to
//   0.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/field_path.hpp"

namespace druid::api {

enum class FieldErrorType {
  kNotFound,
  kRequired,
  kDuplicate,
  kInvalid,
  kNotSupported,
  kForbidden,
  kTooLong,
  kTooMany,
  kInternal,
  kTypeInvalid,
};

struct FieldError {
  FieldErrorType type = FieldErrorType::kInvalid;
  std::string field;  // "spec.replicas"; "<nil>" for the object itself
  nlohmann::json bad_value;
  bool value_omitted = false;  // Kubernetes' omitValue: the body prints no value
  std::string detail;

  // "Invalid value: 1: must be positive" — the part after "<field>: ".
  std::string body() const;
  // "<field>: <body>"
  std::string message() const;
  // The StatusCause reason: FieldValueInvalid, FieldValueRequired, ...
  std::string cause_reason() const;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

using FieldErrors = std::vector<FieldError>;

// Constructors mirroring Kubernetes' field.Required, field.Invalid, ...
FieldError required_error(const FieldPath& path, std::string detail = {});
FieldError invalid_error(const FieldPath& path, nlohmann::json value, std::string detail);
FieldError type_invalid_error(const FieldPath& path, nlohmann::json value, std::string detail);
FieldError not_supported_error(const FieldPath& path, nlohmann::json value,
                               const std::vector<std::string>& supported);
FieldError forbidden_error(const FieldPath& path, std::string detail);
FieldError duplicate_error(const FieldPath& path, nlohmann::json value);
// CRD maxLength: "Too long: may not be longer than 63".
FieldError too_long_error(const FieldPath& path, nlohmann::json value, long max_length);
// CRD maxItems / maxProperties: "Too many: 11: must have at most 10 items".
FieldError too_many_error(const FieldPath& path, long actual, long max);
FieldError internal_error(const FieldPath& path, std::string detail);

// One error: its message; several: "[a, b]" as Kubernetes' aggregate prints them.
std::string to_string(const FieldErrors& errors);

// The JSON type name used in Kubernetes messages: "string", "integer", "number",
// "boolean", "object", "array", "null".
std::string json_type_name(const nlohmann::json& value);

}  // namespace druid::api
