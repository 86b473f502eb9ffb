#include "api/validation/schema_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "util/name_syntax.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace druid::api::validation {
namespace {

using nlohmann::json;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || util::is_digit(c);
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_hex(char c) {
  return util::is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) {
  if (util::is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// ---------------------------------------------------------------------------
// Pruning

json without_null_properties(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, child] : value.items()) {
      if (!child.is_null()) out[key] = without_null_properties(child);
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(without_null_properties(item));
    return out;
  }
  return value;
}

json prune(const json& value, const SchemaNode& node) {
  switch (node.kind) {
    case SchemaNode::Kind::kObject: {
      if (!value.is_object()) return value;
      json out = json::object();
      for (const auto& [key, child] : value.items()) {
        auto property = node.properties.find(key);
        if (child.is_null() || property == node.properties.end()) continue;
        out[key] = prune(child, property->second);
      }
      return out;
    }
    case SchemaNode::Kind::kMap: {
      // Only properties lose their nulls; a null map value stays and fails its type.
      if (!value.is_object()) return value;
      json out = json::object();
      for (const auto& [key, child] : value.items()) out[key] = prune(child, node.element.front());
      return out;
    }
    case SchemaNode::Kind::kArray: {
      if (!value.is_array()) return value;
      json out = json::array();
      for (const auto& item : value) out.push_back(prune(item, node.element.front()));
      return out;
    }
    case SchemaNode::Kind::kAny:
      return without_null_properties(value);
    default:
      return value;
  }
}

// ---------------------------------------------------------------------------
// Patterns

// [0-9]+(\.[0-9]*)?|\.[0-9]+ starting at `pos`; the end position, or nothing.
std::optional<std::size_t> consume_decimal(std::string_view s, std::size_t pos) {
  std::size_t i = pos;
  while (i < s.size() && util::is_digit(s[i])) ++i;
  const bool integer_part = i > pos;
  if (i < s.size() && s[i] == '.') {
    std::size_t j = i + 1;
    while (j < s.size() && util::is_digit(s[j])) ++j;
    if (!integer_part && j == i + 1) return std::nullopt;
    return j;
  }
  if (!integer_part) return std::nullopt;
  return i;
}

bool is_sign(char c) {
  return c == '+' || c == '-';
}

bool matches_quantity_suffix(std::string_view suffix) {
  if (suffix.empty()) return true;
  if (suffix.size() == 2 && suffix[1] == 'i' &&
      std::string_view("KMGTPE").find(suffix[0]) != std::string_view::npos) {
    return true;
  }
  if (suffix.size() == 1 &&
      std::string_view("numkMGTPE").find(suffix[0]) != std::string_view::npos) {
    return true;
  }
  if (suffix[0] != 'e' && suffix[0] != 'E') return false;
  std::size_t pos = 1;
  if (pos < suffix.size() && is_sign(suffix[pos])) ++pos;
  auto end = consume_decimal(suffix, pos);
  return end && *end == suffix.size();
}

// ---------------------------------------------------------------------------
// Go's net/url, as far as ParseRequestURI needs it

enum class Escaping { kPath, kHost, kZone, kUserPassword };

// Go's shouldEscape for the host and zone modes (the only ones that refuse
// unescaped characters).
bool host_character_needs_escaping(char c) {
  if (is_alnum(c)) return false;
  // RFC 3986 sub-delims, ':' and brackets of "[ipv6]:port", what Go also lets
  // through ('<', '>', '"'), and the unreserved marks.
  return std::string_view("!$&'()*+,;=:[]<>\"-_.~").find(c) == std::string_view::npos;
}

// Go's unescape(): succeeds when every %-escape is well formed and allowed in
// the mode, and (host, zone) every ASCII character may appear unescaped.
bool unescapes(std::string_view s, Escaping mode) {
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      const bool escaped_percent = s.substr(i, 3) == "%25";
      if (mode == Escaping::kHost && hex_value(s[i + 1]) < 8 && !escaped_percent) return false;
      if (mode == Escaping::kZone) {
        const char v = static_cast<char>(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
        if (!escaped_percent && v != ' ' && static_cast<unsigned char>(v) < 0x80 &&
            host_character_needs_escaping(v)) {
          return false;
        }
      }
      i += 3;
      continue;
    }
    if ((mode == Escaping::kHost || mode == Escaping::kZone) &&
        static_cast<unsigned char>(c) < 0x80 && host_character_needs_escaping(c)) {
      return false;
    }
    ++i;
  }
  return true;
}

// ":" followed by digits only, or nothing.
bool valid_optional_port(std::string_view port) {
  if (port.empty()) return true;
  if (port[0] != ':') return false;
  return std::all_of(port.begin() + 1, port.end(), util::is_digit);
}

bool valid_host(std::string_view host) {
  if (!host.empty() && host[0] == '[') {
    const auto close = host.rfind(']');
    if (close == std::string_view::npos) return false;
    if (!valid_optional_port(host.substr(close + 1))) return false;
    const auto zone = host.substr(0, close).find("%25");
    if (zone != std::string_view::npos) {
      return unescapes(host.substr(0, zone), Escaping::kHost) &&
             unescapes(host.substr(zone, close - zone), Escaping::kZone) &&
             unescapes(host.substr(close), Escaping::kHost);
    }
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    if (!valid_optional_port(host.substr(colon))) return false;
  }
  return unescapes(host, Escaping::kHost);
}

bool valid_userinfo_characters(std::string_view userinfo) {
  return std::all_of(userinfo.begin(), userinfo.end(), [](char c) {
    if (is_alnum(c)) return true;
    return std::string_view("-._:~!$&'()*+,;=%@").find(c) != std::string_view::npos;
  });
}

bool valid_authority(std::string_view authority) {
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return valid_host(authority);
  if (!valid_host(authority.substr(at + 1))) return false;
  const auto userinfo = authority.substr(0, at);
  return valid_userinfo_characters(userinfo) && unescapes(userinfo, Escaping::kUserPassword);
}

// Go's getScheme: the scheme and the rest, or no scheme (rest = whole text).
// Returns false for a leading ':' ("missing protocol scheme").
bool split_scheme(std::string_view text, bool& has_scheme, std::string_view& rest) {
  has_scheme = false;
  rest = text;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
    if (util::is_digit(c) || c == '+' || c == '-' || c == '.') {
      if (i == 0) return true;
      continue;
    }
    if (c == ':') {
      if (i == 0) return false;
      has_scheme = true;
      rest = text.substr(i + 1);
    }
    return true;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Ratcheting

struct PathSegment {
  std::string text;
  bool bracketed = false;  // "[0]" or "[key]"
};

std::vector<PathSegment> parse_field_path(std::string_view path) {
  std::vector<PathSegment> segments;
  if (path == "<nil>") return segments;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) segments.push_back({current, false});
    current.clear();
  };
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      flush();
    } else if (c == '[') {
      flush();
      const auto close = path.find(']', i);
      const auto end = close == std::string_view::npos ? path.size() : close;
      segments.push_back({std::string(path.substr(i + 1, end - i - 1)), true});
      i = end;
    } else {
      current += c;
    }
  }
  flush();
  return segments;
}

// ---------------------------------------------------------------------------
// Object metadata

constexpr const char* kDns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::size_t kDns1123LabelMaxLength = 63;

std::vector<std::string> dns1123_label_errors(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kDns1123LabelMaxLength) {
    errors.push_back(fmt::format("must be no more than {} characters", kDns1123LabelMaxLength));
  }
  if (!util::matches_dns1123_label(value)) {
    errors.push_back(fmt::format(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
        "regex used for validation is '{}')",
        kDns1123LabelFormat));
  }
  return errors;
}

// Kubernetes' maskTrailingDash (for generateName, which gets a suffix appended):
// it keeps all but the last two characters and appends "a".
std::string mask_trailing_dash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-') {
    return std::string(name.substr(0, name.size() - 2)) + "a";
  }
  return std::string(name);
}

void add_immutable_error(FieldErrors& errors, const FieldPath& path, const std::string& new_value,
                         const std::string& old_value) {
  if (new_value.empty() || old_value.empty() || new_value == old_value) return;
  errors.push_back(invalid_error(path, new_value, "field is immutable"));
}

}  // namespace

json prune_for_validation(const json& object, const SchemaNode& schema) {
  if (!object.is_object() || schema.kind != SchemaNode::Kind::kObject) return object;
  json out = json::object();
  for (const auto& [key, child] : object.items()) {
    auto property = schema.properties.find(key);
    if (child.is_null() || property == schema.properties.end()) continue;
    out[key] = key == "metadata" ? without_null_properties(child) : prune(child, property->second);
  }
  return out;
}

// ---------------------------------------------------------------------------

void check_pattern(FieldErrors& errors, const FieldPath& path, const std::string& value,
                   std::string_view pattern, StringMatcher matches) {
  if (matches(value)) return;
  errors.push_back(
      invalid_error(path, value, fmt::format("{} in body should match '{}'", path.str(), pattern)));
}

void check_enum(FieldErrors& errors, const FieldPath& path, const std::string& value,
                const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  errors.push_back(not_supported_error(path, value, allowed));
}

std::size_t character_count(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void check_max_length(FieldErrors& errors, const FieldPath& path, const std::string& value,
                      std::size_t max_length) {
  if (character_count(value) <= max_length) return;
  errors.push_back(too_long_error(path, value, static_cast<long>(max_length)));
}

void check_min_length(FieldErrors& errors, const FieldPath& path, const std::string& value,
                      std::size_t min_length) {
  if (character_count(value) >= min_length) return;
  errors.push_back(invalid_error(
      path, value,
      fmt::format("{} in body should be at least {} chars long", path.str(), min_length)));
}

void check_max_items(FieldErrors& errors, const FieldPath& path, std::size_t count,
                     std::size_t max_items) {
  if (count <= max_items) return;
  errors.push_back(too_many_error(path, static_cast<long>(count), static_cast<long>(max_items)));
}

void check_min_items(FieldErrors& errors, const FieldPath& path, std::size_t count,
                     std::size_t min_items) {
  if (count >= min_items) return;
  errors.push_back(invalid_error(
      path, count, fmt::format("{} in body should have at least {} items", path.str(), min_items)));
}

void check_minimum(FieldErrors& errors, const FieldPath& path, std::int64_t value,
                   std::int64_t minimum) {
  if (value >= minimum) return;
  errors.push_back(invalid_error(
      path, value,
      fmt::format("{} in body should be greater than or equal to {}", path.str(), minimum)));
}

void check_date_time(FieldErrors& errors, const FieldPath& path, const std::string& value) {
  if (util::parse_rfc3339(value).has_value()) return;
  errors.push_back(type_invalid_error(
      path, value,
      fmt::format("{} in body must be of type date-time: {}", path.str(), json(value).dump())));
}

void check_unique_set(FieldErrors& errors, const FieldPath& path, const json& list) {
  if (!list.is_array()) return;
  for (std::size_t i = 1; i < list.size(); ++i) {
    const auto first =
        std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i), list[i]);
    if (first != list.begin() + static_cast<std::ptrdiff_t>(i)) {
      errors.push_back(duplicate_error(path.index(i), list[i]));
    }
  }
}

// ---------------------------------------------------------------------------

bool matches_quantity_pattern(std::string_view text) {
  std::size_t pos = 0;
  if (pos < text.size() && is_sign(text[pos])) ++pos;
  auto end = consume_decimal(text, pos);
  return end && matches_quantity_suffix(text.substr(*end));
}

bool matches_store_container_pattern(std::string_view text) {
  if (text.size() < 3 || text.size() > 63) return false;
  if (!is_alnum(text.front()) || !is_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// ---------------------------------------------------------------------------

FieldError cel_rule_error(const FieldPath& path, std::string_view schema_type,
                          std::string_view message) {
  return invalid_error(path, std::string(schema_type), std::string(message));
}

FieldError cel_evaluation_error(const FieldPath& path, std::string_view schema_type,
                                std::string_view cel_error, std::string_view message) {
  return invalid_error(path, std::string(schema_type),
                       fmt::format("{} evaluating rule: {}", cel_error, message));
}

bool cel_is_url(std::string_view text) {
  const bool has_control_character = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (has_control_character || text.empty()) return false;
  if (text == "*") return true;

  bool has_scheme = false;
  std::string_view rest;
  if (!split_scheme(text, has_scheme, rest)) return false;

  // The query is not checked; a request URI has no fragment, '#' is path.
  if (!rest.empty() && rest.back() == '?' && std::count(rest.begin(), rest.end(), '?') == 1) {
    rest.remove_suffix(1);
  } else if (const auto q = rest.find('?'); q != std::string_view::npos) {
    rest = rest.substr(0, q);
  }

  if (rest.empty() || rest[0] != '/') return has_scheme;  // opaque "scheme:rest" is fine

  if (has_scheme && rest.substr(0, 2) == "//") {
    auto authority = rest.substr(2);
    rest = {};
    if (const auto slash = authority.find('/'); slash != std::string_view::npos) {
      rest = authority.substr(slash);
      authority = authority.substr(0, slash);
    }
    if (!valid_authority(authority)) return false;
  }
  return unescapes(rest, Escaping::kPath);
}

util::Expected<std::int64_t, std::string> cel_string_to_int(std::string_view text) {
  const std::string failure = "type conversion error from 'string' to 'int'";
  std::size_t pos = 0;
  bool negative = false;
  if (!text.empty() && is_sign(text[0])) {
    negative = text[0] == '-';
    pos = 1;
  }
  if (pos == text.size()) return util::unexpected(failure);
  // Accumulate as a negative number so that the minimum int64 fits.
  std::int64_t value = 0;
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  for (; pos < text.size(); ++pos) {
    if (!util::is_digit(text[pos])) return util::unexpected(failure);
    const int digit = text[pos] - '0';
    if (value < (kMin + digit) / 10) return util::unexpected(failure);
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == kMin) return util::unexpected(failure);
    value = -value;
  }
  return value;
}

bool is_blocking(const FieldError& error) {
  return error.type == FieldErrorType::kNotSupported || error.type == FieldErrorType::kRequired ||
         error.type == FieldErrorType::kTooLong || error.type == FieldErrorType::kTooMany ||
         error.type == FieldErrorType::kTypeInvalid;
}

bool has_blocking_error(const FieldErrors& errors) {
  return std::any_of(errors.begin(), errors.end(), is_blocking);
}

FieldError rules_not_checked_error() {
  return invalid_error(FieldPath(), nullptr,
                       "some validation rules were not checked because the object was invalid; "
                       "correct the existing errors to complete validation");
}

// ---------------------------------------------------------------------------

bool is_ratcheted(const FieldError& error, const json& new_object, const json& old_object) {
  auto segments = parse_field_path(error.field);
  // A missing required field is reported by its parent's validation.
  if (error.type == FieldErrorType::kRequired && !segments.empty()) segments.pop_back();
  const json* now = &new_object;
  const json* before = &old_object;
  for (const auto& segment : segments) {
    if (!now->is_object() || !before->is_object()) break;  // list items do not correlate
    auto n = now->find(segment.text);
    auto b = before->find(segment.text);
    if (n == now->end() || b == before->end()) break;
    now = &*n;
    before = &*b;
  }
  return *now == *before;
}

void drop_ratcheted(FieldErrors& errors, const json& new_object, const json& old_object) {
  std::erase_if(errors,
                [&](const FieldError& e) { return is_ratcheted(e, new_object, old_object); });
}

// ---------------------------------------------------------------------------

FieldErrors validate_type_meta(const json& object, std::string_view api_version,
                               std::string_view kind) {
  FieldErrors errors;
  if (!object.is_object()) return errors;
  auto text_of = [&](const char* key) -> std::optional<std::string> {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    return it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto k = text_of("kind"); k && *k != kind) {
    errors.push_back(invalid_error(FieldPath("kind"), *k, fmt::format("must be {}", kind)));
  }
  if (auto v = text_of("apiVersion"); v && *v != api_version) {
    errors.push_back(
        invalid_error(FieldPath("apiVersion"), *v, fmt::format("must be {}", api_version)));
  }
  return errors;
}

FieldErrors validate_object_meta(const ObjectMeta& meta) {
  FieldErrors errors;
  const FieldPath path("metadata");
  if (!meta.generate_name.empty()) {
    for (auto& msg : util::dns1123_subdomain_errors(mask_trailing_dash(meta.generate_name))) {
      errors.push_back(invalid_error(path.child("generateName"), meta.generate_name, msg));
    }
  }
  if (meta.name.empty()) {
    // With generateName the server generates the name before validating it.
    if (meta.generate_name.empty()) {
      errors.push_back(required_error(path.child("name"), "name or generateName is required"));
    }
  } else {
    for (auto& msg : util::dns1123_subdomain_errors(meta.name)) {
      errors.push_back(invalid_error(path.child("name"), meta.name, msg));
    }
  }
  // An empty namespace is filled in from the request.
  if (!meta.namespace_.empty()) {
    for (auto& msg : dns1123_label_errors(meta.namespace_)) {
      errors.push_back(invalid_error(path.child("namespace"), meta.namespace_, msg));
    }
  }
  return errors;
}

FieldErrors validate_object_meta_update(const ObjectMeta& new_meta, const ObjectMeta& old_meta) {
  FieldErrors errors;
  const FieldPath path("metadata");
  add_immutable_error(errors, path.child("name"), new_meta.name, old_meta.name);
  add_immutable_error(errors, path.child("namespace"), new_meta.namespace_, old_meta.namespace_);
  return errors;
}

}  // namespace druid::api::validation
