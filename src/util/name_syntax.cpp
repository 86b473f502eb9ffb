#include "util/name_syntax.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

#include "util/text.hpp"

namespace druid::util {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || is_digit(c);
}

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

constexpr const char* kDns1123SubdomainFormat =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

constexpr std::size_t kDns1123SubdomainMaxLength = 253;

bool matches_dns1123_subdomain(std::string_view value) {
  std::size_t start = 0;
  while (true) {
    const auto dot = value.find('.', start);
    const auto label = value.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!matches_dns1123_label(label)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

bool matches_dns1123_label(std::string_view text) {
  if (text.empty()) return false;
  if (!is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_lower_alnum(c) || c == '-'; });
}

std::vector<std::string> dns1123_subdomain_errors(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errors.push_back(fmt::format("must be no more than {} characters", kDns1123SubdomainMaxLength));
  }
  if (!matches_dns1123_subdomain(value)) {
    errors.push_back(fmt::format(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
        "used for validation is '{}')",
        kDns1123SubdomainFormat));
  }
  return errors;
}

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

}  // namespace druid::util
