#include "api/codec.hpp"

#include <fmt/format.h>

#include <limits>

namespace druid::api {

std::string IntOrString::text() const {
  if (is_int()) return std::to_string(std::get<0>(value));
  return std::get<1>(value);
}

std::string to_string(SchemaNode::Kind kind) {
  switch (kind) {
    case SchemaNode::Kind::kBoolean:
      return "boolean";
    case SchemaNode::Kind::kInteger:
      return "integer";
    case SchemaNode::Kind::kString:
      return "string";
    case SchemaNode::Kind::kIntOrString:
      return "int-or-string";
    case SchemaNode::Kind::kObject:
      return "object";
    case SchemaNode::Kind::kArray:
      return "array";
    case SchemaNode::Kind::kMap:
      return "map";
    case SchemaNode::Kind::kAny:
      return "any";
  }
  return "any";
}

void report_type_error(const nlohmann::json& j, std::string_view expected, const FieldPath& path,
                       DecodeState& state) {
  // kube-openapi: "<path> in body must be of type <type>: \"<actual type>\"".
  const auto actual = json_type_name(j);
  state.errors.push_back(type_invalid_error(
      path, actual,
      fmt::format("{} in body must be of type {}: \"{}\"", path.str(), expected, actual)));
}

void FieldDecoder::unknown(UnknownFields& unknown) {
  unknown.fields = nlohmann::json::object();
  for (const auto& [k, v] : object_.items()) {
    bool known = false;
    for (const auto& c : consumed_) {
      if (c == k) {
        known = true;
        break;
      }
    }
    if (!known) unknown.fields[k] = v;
  }
}

void decode_value(const nlohmann::json& j, bool& out, const FieldPath& path, DecodeState& state) {
  if (!j.is_boolean()) {
    report_type_error(j, "boolean", path, state);
    return;
  }
  out = j.get<bool>();
}

namespace {

// JSON numbers that are integral (3 or 3.0) within [lo, hi].
template <class Int>
void decode_integer(const nlohmann::json& j, Int& out, const FieldPath& path, DecodeState& state) {
  constexpr auto lo = static_cast<long double>(std::numeric_limits<Int>::min());
  constexpr auto hi = static_cast<long double>(std::numeric_limits<Int>::max());
  long double v = 0;
  if (j.is_number_integer() && !j.is_number_unsigned()) {
    v = static_cast<long double>(j.get<std::int64_t>());
  } else if (j.is_number_unsigned()) {
    v = static_cast<long double>(j.get<std::uint64_t>());
  } else if (j.is_number_float()) {
    v = j.get<long double>();
    // Whole and within int64 before the cast: converting a float outside the
    // target's range is undefined behaviour (2e80, found by fuzzing:
    // test/fuzz/regressions/validation). Such a number is not an integer.
    if (!(v >= -0x1p63L && v < 0x1p63L) ||
        v != static_cast<long double>(static_cast<std::int64_t>(v))) {
      report_type_error(j, "integer", path, state);
      return;
    }
  } else {
    report_type_error(j, "integer", path, state);
    return;
  }
  if (v < lo || v > hi) {
    state.errors.push_back(
        invalid_error(path, j,
                      fmt::format("must be in the range {}..{}", std::numeric_limits<Int>::min(),
                                  std::numeric_limits<Int>::max())));
    return;
  }
  out = static_cast<Int>(v);
}

}  // namespace

void decode_value(const nlohmann::json& j, std::int32_t& out, const FieldPath& path,
                  DecodeState& state) {
  decode_integer(j, out, path, state);
}
void decode_value(const nlohmann::json& j, std::int64_t& out, const FieldPath& path,
                  DecodeState& state) {
  decode_integer(j, out, path, state);
}
void decode_value(const nlohmann::json& j, std::uint32_t& out, const FieldPath& path,
                  DecodeState& state) {
  decode_integer(j, out, path, state);
}

void decode_value(const nlohmann::json& j, std::string& out, const FieldPath& path,
                  DecodeState& state) {
  if (!j.is_string()) {
    report_type_error(j, "string", path, state);
    return;
  }
  out = j.get<std::string>();
}

void decode_value(const nlohmann::json& j, IntOrString& out, const FieldPath& path,
                  DecodeState& state) {
  if (j.is_string()) {
    out = IntOrString(j.get<std::string>());
  } else if (j.is_number_integer()) {
    out = IntOrString(j.get<std::int64_t>());
  } else {
    // The CRD's anyOf [integer, string].
    report_type_error(j, "integer or string", path, state);
  }
}

void decode_value(const nlohmann::json& j, nlohmann::json& out, const FieldPath& /*path*/,
                  DecodeState& /*state*/) {
  out = j;
}

std::optional<nlohmann::json> encode_value(bool v) {
  if (!v) return std::nullopt;
  return nlohmann::json(v);
}
std::optional<nlohmann::json> encode_value(std::int32_t v) {
  if (v == 0) return std::nullopt;
  return nlohmann::json(v);
}
std::optional<nlohmann::json> encode_value(std::int64_t v) {
  if (v == 0) return std::nullopt;
  return nlohmann::json(v);
}
std::optional<nlohmann::json> encode_value(std::uint32_t v) {
  if (v == 0) return std::nullopt;
  return nlohmann::json(v);
}
std::optional<nlohmann::json> encode_value(const std::string& v) {
  if (v.empty()) return std::nullopt;
  return nlohmann::json(v);
}
std::optional<nlohmann::json> encode_value(const IntOrString& v) {
  if (v.is_int()) return nlohmann::json(std::get<0>(v.value));
  if (std::get<1>(v.value).empty()) return std::nullopt;
  return nlohmann::json(std::get<1>(v.value));
}
std::optional<nlohmann::json> encode_value(const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  return v;
}

void FieldEncoder::unknown(const UnknownFields& unknown) {
  for (const auto& [k, v] : unknown.fields.items()) {
    if (!out_.contains(k)) out_[k] = v;
  }
}

}  // namespace druid::api
