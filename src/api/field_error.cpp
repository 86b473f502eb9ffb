#include "api/field_error.hpp"

#include <fmt/format.h>

namespace druid::api {
namespace {

std::string type_text(FieldErrorType type) {
  switch (type) {
    case FieldErrorType::kNotFound:
      return "Not found";
    case FieldErrorType::kRequired:
      return "Required value";
    case FieldErrorType::kDuplicate:
      return "Duplicate value";
    case FieldErrorType::kInvalid:
    case FieldErrorType::kTypeInvalid:
      return "Invalid value";
    case FieldErrorType::kNotSupported:
      return "Unsupported value";
    case FieldErrorType::kForbidden:
      return "Forbidden";
    case FieldErrorType::kTooLong:
      return "Too long";
    case FieldErrorType::kTooMany:
      return "Too many";
    case FieldErrorType::kInternal:
      return "Internal error";
  }
  return "Invalid value";
}

// Go prints strings with %q and simple values with %v.
std::string value_text(const nlohmann::json& value) {
  if (value.is_null()) return "\"null\"";
  return value.dump();
}

FieldError make(FieldErrorType type, const FieldPath& path, nlohmann::json value,
                std::string detail) {
  FieldError e;
  e.type = type;
  e.field = path.str();
  e.bad_value = std::move(value);
  e.detail = std::move(detail);
  return e;
}

}  // namespace

std::string FieldError::body() const {
  std::string s;
  switch (type) {
    case FieldErrorType::kRequired:
    case FieldErrorType::kForbidden:
    case FieldErrorType::kTooLong:
    case FieldErrorType::kInternal:
      s = type_text(type);
      break;
    default:
      s = value_omitted ? type_text(type) : type_text(type) + ": " + value_text(bad_value);
  }
  if (!detail.empty()) s += ": " + detail;
  return s;
}

std::string FieldError::message() const {
  return field + ": " + body();
}

std::string FieldError::cause_reason() const {
  switch (type) {
    case FieldErrorType::kNotFound:
      return "FieldValueNotFound";
    case FieldErrorType::kRequired:
      return "FieldValueRequired";
    case FieldErrorType::kDuplicate:
      return "FieldValueDuplicate";
    case FieldErrorType::kInvalid:
      return "FieldValueInvalid";
    case FieldErrorType::kTypeInvalid:
      return "FieldValueTypeInvalid";
    case FieldErrorType::kNotSupported:
      return "FieldValueNotSupported";
    case FieldErrorType::kForbidden:
      return "FieldValueForbidden";
    case FieldErrorType::kTooLong:
      return "FieldValueTooLong";
    case FieldErrorType::kTooMany:
      return "FieldValueTooMany";
    case FieldErrorType::kInternal:
      return "InternalError";
  }
  return "FieldValueInvalid";
}

FieldError required_error(const FieldPath& path, std::string detail) {
  return make(FieldErrorType::kRequired, path, "", std::move(detail));
}

FieldError invalid_error(const FieldPath& path, nlohmann::json value, std::string detail) {
  return make(FieldErrorType::kInvalid, path, std::move(value), std::move(detail));
}

FieldError type_invalid_error(const FieldPath& path, nlohmann::json value, std::string detail) {
  return make(FieldErrorType::kTypeInvalid, path, std::move(value), std::move(detail));
}

FieldError not_supported_error(const FieldPath& path, nlohmann::json value,
                               const std::vector<std::string>& supported) {
  std::string detail;
  if (!supported.empty()) {
    std::vector<std::string> quoted;
    quoted.reserve(supported.size());
    for (const auto& s : supported) quoted.push_back(nlohmann::json(s).dump());
    detail = "supported values: " + fmt::format("{}", fmt::join(quoted, ", "));
  }
  return make(FieldErrorType::kNotSupported, path, std::move(value), std::move(detail));
}

FieldError forbidden_error(const FieldPath& path, std::string detail) {
  return make(FieldErrorType::kForbidden, path, "", std::move(detail));
}

FieldError duplicate_error(const FieldPath& path, nlohmann::json value) {
  return make(FieldErrorType::kDuplicate, path, std::move(value), "");
}

FieldError too_long_error(const FieldPath& path, nlohmann::json value, long max_length) {
  return make(FieldErrorType::kTooLong, path, std::move(value),
              max_length >= 0 ? fmt::format("may not be longer than {}", max_length)
                              : std::string("value is too long"));
}

FieldError too_many_error(const FieldPath& path, long actual, long max) {
  auto e = make(FieldErrorType::kTooMany, path, actual,
                max >= 0 ? fmt::format("must have at most {} items", max)
                         : std::string("has too many items"));
  e.value_omitted = actual < 0;
  return e;
}

FieldError internal_error(const FieldPath& path, std::string detail) {
  return make(FieldErrorType::kInternal, path, "", std::move(detail));
}

std::string to_string(const FieldErrors& errors) {
  if (errors.size() == 1) return errors.front().message();
  std::vector<std::string> parts;
  parts.reserve(errors.size());
  for (const auto& e : errors) parts.push_back(e.message());
  return "[" + fmt::format("{}", fmt::join(parts, ", ")) + "]";
}

std::string json_type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "integer";
    case nlohmann::json::value_t::number_float:
      return "number";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    default:
      return "null";
  }
}

}  // namespace druid::api
