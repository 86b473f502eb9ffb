#include "api/validation/object_meta_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "api/validation/schema_rules.hpp"

namespace druid::api::validation {
namespace {

constexpr std::size_t kQualifiedNameMaxLength = 63;
constexpr std::size_t kLabelValueMaxLength = 63;

constexpr const char* kQualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* kQualifiedNameMessage =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr const char* kLabelValueFormat = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr const char* kLabelValueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";

std::string max_len_error(std::size_t length) {
  return fmt::format("must be no more than {} characters", length);
}

// validation.RegexError: "<msg> (e.g. 'a' or 'b', regex used for validation is '<re>')". Every
// example is followed by ", " and joined with " or ", hence Kubernetes' double spaces.
std::string regex_error(std::string_view message, std::string_view format,
                        std::initializer_list<std::string_view> examples) {
  std::string out(message);
  out += " (e.g. ";
  bool first = true;
  for (std::string_view example : examples) {
    if (!first) out += " or ";
    first = false;
    out += fmt::format("'{}', ", example);
  }
  return out + fmt::format("regex used for validation is '{}')", format);
}

std::string qualified_name_regex_error() {
  return regex_error(kQualifiedNameMessage, kQualifiedNameFormat, {"MyName", "my.name", "123-abc"});
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$
bool matches_qualified_name(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::vector<std::string> qualified_name_errors(std::string_view value) {
  std::vector<std::string> errors;
  std::string_view name = value;
  const std::size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      // More than one '/': Kubernetes reports only this.
      errors.push_back(
          "a qualified name " + qualified_name_regex_error() +
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errors;
    }
    const std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errors.push_back("prefix part must be non-empty");
    } else {
      for (const auto& message : dns1123_subdomain_errors(prefix)) {
        errors.push_back("prefix part " + message);
      }
    }
  }
  if (name.empty()) {
    errors.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errors.push_back("name part " + max_len_error(kQualifiedNameMaxLength));
  }
  if (!matches_qualified_name(name)) errors.push_back("name part " + qualified_name_regex_error());
  return errors;
}

std::vector<std::string> label_value_errors(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kLabelValueMaxLength) errors.push_back(max_len_error(kLabelValueMaxLength));
  if (!value.empty() && !matches_qualified_name(value)) {
    errors.push_back(
        regex_error(kLabelValueMessage, kLabelValueFormat, {"MyValue", "my_value", "12345"}));
  }
  return errors;
}

FieldErrors validate_labels(const nlohmann::json& labels, const FieldPath& path) {
  FieldErrors errors;
  if (!labels.is_object()) return errors;
  for (const auto& [key, value] : labels.items()) {
    for (auto& message : qualified_name_errors(key)) {
      errors.push_back(invalid_error(path, key, std::move(message)));
    }
    if (!value.is_string()) continue;
    const std::string& text = value.get_ref<const std::string&>();
    for (auto& message : label_value_errors(text)) {
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
    for (auto& message : qualified_name_errors(lowercase(key))) {
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
