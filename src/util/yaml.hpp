#pragma once
// YAML manifests to JSON objects, typed the way Kubernetes reads YAML: plain
// scalars become integers, floats, booleans or null when they look like one;
// quoted scalars always stay strings.

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::util {

// One JSON value per YAML document ("---" separated); empty documents are skipped.
// Errors carry yaml-cpp's line and column: `yaml: line 3, column 5: ...`.
Expected<std::vector<nlohmann::json>, ParseError> parse_yaml_documents(std::string_view text);

// Exactly one document.
Expected<nlohmann::json, ParseError> parse_yaml(std::string_view text);

// JSON back to YAML (block style), e.g. for printing objects.
std::string to_yaml(const nlohmann::json& value);

}  // namespace druid::util
