#pragma once
// Field selectors (?fieldSelector=metadata.name=x,status.phase!=Running): the
// string form, and matching against objects. Which fields a type supports is
// the caller's business (see ResourceType::selectable_fields).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::testing {

struct FieldRequirement {
  std::string field;   // "metadata.name"
  bool equals = true;  // "=" / "==" versus "!="
  std::string value;
};

class FieldSelector {
 public:
  FieldSelector() = default;  // matches everything
  // "a=b,c==d,e!=f"; a backslash escapes ',', '=' and '!' in values (fields.EscapeValue).
  static util::Expected<FieldSelector, util::ParseError> parse(std::string_view text);

  bool empty() const { return requirements_.empty(); }
  const std::vector<FieldRequirement>& requirements() const { return requirements_; }
  // Field values are read from the object by their dotted path; a missing field
  // reads as "" and booleans/numbers in their JSON text.
  bool matches(const nlohmann::json& object) const;
  // The value the selector requires for `field` with "=", if any (lets a watch
  // or list by metadata.name skip everything else).
  std::optional<std::string> required_value(std::string_view field) const;

 private:
  std::vector<FieldRequirement> requirements_;
};

// The text value of a dotted field path in an object, as field selectors see it.
std::string field_value(const nlohmann::json& object, std::string_view path);

}  // namespace druid::testing
