#include "api/validation/object_meta_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "api/validation/schema_rules.hpp"
#include "util/name_syntax.hpp"

namespace druid::api::validation {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

FieldErrors validate_labels(const nlohmann::json& labels, const FieldPath& path) {
  FieldErrors errors;
  if (!labels.is_object()) return errors;
  for (const auto& [key, value] : labels.items()) {
    for (auto& message : util::qualified_name_errors(key)) {
      errors.push_back(invalid_error(path, key, std::move(message)));
    }
    if (!value.is_string()) continue;
    const std::string& text = value.get_ref<const std::string&>();
    for (auto& message : util::label_value_errors(text)) {
      errors.push_back(invalid_error(path, text, std::move(message)));
    }
  }
  return errors;
}

FieldErrors validate_annotations(const nlohmann::json& annotations, const FieldPath& path) {
  FieldErrors errors;
  if (!annotations.is_object()) return errors;
  std::size_t total = 0;
  for (const auto& [key, value] : annotations.items()) {
    for (auto& message : util::qualified_name_errors(lowercase(key))) {
      errors.push_back(invalid_error(path, key, std::move(message)));
    }
    total += key.size();
    if (value.is_string()) total += value.get_ref<const std::string&>().size();
  }
  if (total > kTotalAnnotationSizeLimit) {
    // field.TooLong since v1.32 (kubernetes#128553): no value, the limit in bytes.
    FieldError e = too_long_error(path, "", 0);
    e.detail = fmt::format("may not be more than {} bytes", kTotalAnnotationSizeLimit);
    errors.push_back(std::move(e));
  }
  return errors;
}

}  // namespace druid::api::validation
