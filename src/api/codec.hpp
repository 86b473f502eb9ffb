#pragma once
// Decoding and encoding of API structs to and from JSON, driven by one field
// list per struct:
//
//   template <class V> void visit_fields(V& v, BackupSpec& s) {
//     v("port", s.port);                 // optional field
//     v.required("store", s.store);      // CRD-required field
//     v.unknown(s.unknown);              // keys we do not model, kept verbatim
//   }
//
// The same list drives three visitors: FieldDecoder (JSON -> struct, with field
// paths in every error), FieldEncoder (struct -> JSON) and SchemaCollector (the
// shape of the type, which tests compare against the CRD schemas so the two
// cannot drift apart). Go's omitempty is the encoding rule: absent optionals,
// empty vectors and maps are not written unless the field is required.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/field_error.hpp"
#include "api/field_path.hpp"

namespace druid::api {

// Keys of a JSON object that the C++ type does not model.
struct UnknownFields {
  nlohmann::json fields = nlohmann::json::object();
  friend bool operator==(const UnknownFields&, const UnknownFields&) = default;
};

// Kubernetes' IntOrString, used for quantities; kept as written.
struct IntOrString {
  std::variant<std::int64_t, std::string> value = std::string();

  IntOrString() = default;
  IntOrString(std::int64_t i) : value(i) {}              // NOLINT: implicit by design
  IntOrString(std::string s) : value(std::move(s)) {}    // NOLINT: implicit by design
  IntOrString(const char* s) : value(std::string(s)) {}  // NOLINT: implicit by design

  bool is_int() const { return value.index() == 0; }
  // The text form ("16Gi", or "3" for the integer 3).
  std::string text() const;
  friend bool operator==(const IntOrString&, const IntOrString&) = default;
};

// The JSON shape of a C++ type, as the codec sees it.
struct SchemaNode {
  enum class Kind { kBoolean, kInteger, kString, kIntOrString, kObject, kArray, kMap, kAny };
  Kind kind = Kind::kAny;
  std::map<std::string, SchemaNode> properties;  // kObject
  std::set<std::string> required;                // kObject
  std::vector<SchemaNode> element;               // kArray / kMap: exactly one
};
std::string to_string(SchemaNode::Kind kind);

template <class V, class T>
concept FieldVisitable = requires(V& v, T& t) {
  visit_fields(v, t);
};

class FieldDecoder;
class FieldEncoder;

// What one decode collects, and whether it reports missing CRD-required fields
// (validation does; reading an object the server already accepted need not).
struct DecodeState {
  FieldErrors errors;
  bool check_required = false;
};
class SchemaCollector;

template <class T>
concept ApiStruct = FieldVisitable<FieldDecoder, T>;

// ---------------------------------------------------------------------------
// Decoding

class FieldDecoder {
 public:
  FieldDecoder(const nlohmann::json& object, FieldPath path, DecodeState& state)
      : object_(object), path_(std::move(path)), state_(state) {}

  template <class T>
  void operator()(std::string_view key, T& value) {
    field(key, value, false);
  }
  template <class T>
  void required(std::string_view key, T& value) {
    field(key, value, true);
  }
  void unknown(UnknownFields& unknown);

 private:
  template <class T>
  void field(std::string_view key, T& value, bool is_required);

  const nlohmann::json& object_;
  FieldPath path_;
  DecodeState& state_;
  std::vector<std::string> consumed_;
};

void decode_value(const nlohmann::json& j, bool& out, const FieldPath& path, DecodeState& state);
void decode_value(const nlohmann::json& j, std::int32_t& out, const FieldPath& path,
                  DecodeState& state);
void decode_value(const nlohmann::json& j, std::int64_t& out, const FieldPath& path,
                  DecodeState& state);
void decode_value(const nlohmann::json& j, std::uint32_t& out, const FieldPath& path,
                  DecodeState& state);
void decode_value(const nlohmann::json& j, std::string& out, const FieldPath& path,
                  DecodeState& state);
void decode_value(const nlohmann::json& j, IntOrString& out, const FieldPath& path,
                  DecodeState& state);
void decode_value(const nlohmann::json& j, nlohmann::json& out, const FieldPath& path,
                  DecodeState& state);

template <ApiStruct T>
void decode_value(const nlohmann::json& j, T& out, const FieldPath& path, DecodeState& state);

template <class T>
void decode_value(const nlohmann::json& j, std::optional<T>& out, const FieldPath& path,
                  DecodeState& state) {
  if (j.is_null()) {
    out.reset();
    return;
  }
  T value{};
  decode_value(j, value, path, state);
  out = std::move(value);
}

void report_type_error(const nlohmann::json& j, std::string_view expected, const FieldPath& path,
                       DecodeState& state);

template <class T>
void decode_value(const nlohmann::json& j, std::vector<T>& out, const FieldPath& path,
                  DecodeState& state) {
  out.clear();
  if (j.is_null()) return;
  if (!j.is_array()) {
    report_type_error(j, "array", path, state);
    return;
  }
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    T value{};
    decode_value(j[i], value, path.index(i), state);
    out.push_back(std::move(value));
  }
}

template <class T>
void decode_value(const nlohmann::json& j, std::map<std::string, T>& out, const FieldPath& path,
                  DecodeState& state) {
  out.clear();
  if (j.is_null()) return;
  if (!j.is_object()) {
    report_type_error(j, "object", path, state);
    return;
  }
  for (const auto& [k, v] : j.items()) {
    T value{};
    decode_value(v, value, path.key(k), state);
    out.emplace(k, std::move(value));
  }
}

template <ApiStruct T>
void decode_value(const nlohmann::json& j, T& out, const FieldPath& path, DecodeState& state) {
  out = T{};
  if (j.is_null()) return;
  if (!j.is_object()) {
    report_type_error(j, "object", path, state);
    return;
  }
  FieldDecoder decoder(j, path, state);
  visit_fields(decoder, out);
}

template <class T>
void FieldDecoder::field(std::string_view key, T& value, bool is_required) {
  consumed_.emplace_back(key);
  auto it = object_.find(key);
  if (it == object_.end()) {
    if (is_required && state_.check_required) {
      state_.errors.push_back(required_error(path_.child(key)));
    }
    return;
  }
  decode_value(*it, value, path_.child(key), state_);
}

// ---------------------------------------------------------------------------
// Encoding

// Returns nothing when Go's omitempty would leave the field out.
std::optional<nlohmann::json> encode_value(bool v);
std::optional<nlohmann::json> encode_value(std::int32_t v);
std::optional<nlohmann::json> encode_value(std::int64_t v);
std::optional<nlohmann::json> encode_value(std::uint32_t v);
std::optional<nlohmann::json> encode_value(const std::string& v);
std::optional<nlohmann::json> encode_value(const IntOrString& v);
std::optional<nlohmann::json> encode_value(const nlohmann::json& v);

template <ApiStruct T>
std::optional<nlohmann::json> encode_value(const T& v);

template <class T>
std::optional<nlohmann::json> encode_value(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  // A set optional is always written, even when its value is empty/zero:
  // that is the point of a pointer field in Go.
  auto j = encode_value(*v);
  if (!j) {
    if constexpr (std::is_same_v<T, std::string>) return nlohmann::json(*v);
    if constexpr (std::is_arithmetic_v<T>) return nlohmann::json(*v);
    if constexpr (ApiStruct<T>) return nlohmann::json::object();
  }
  return j;
}

// The value written for a required field that omitempty would drop.
template <class T>
nlohmann::json empty_json_for() {
  if constexpr (std::is_same_v<T, bool>) {
    return false;
  } else if constexpr (std::is_arithmetic_v<T>) {
    return 0;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "";
  } else {
    return nlohmann::json::object();
  }
}

// An element of a list or map is never omitted: Go writes its zero value
// (false, 0, "") where omitempty would drop a field; other kinds stay null.
template <class T>
nlohmann::json element_json(std::optional<nlohmann::json> j) {
  if (j) return std::move(*j);
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
    return empty_json_for<T>();
  } else {
    return nlohmann::json();
  }
}

template <class T>
std::optional<nlohmann::json> encode_value(const std::vector<T>& v) {
  if (v.empty()) return std::nullopt;
  auto out = nlohmann::json::array();
  for (const auto& item : v) out.push_back(element_json<T>(encode_value(item)));
  return out;
}

template <class T>
std::optional<nlohmann::json> encode_value(const std::map<std::string, T>& v) {
  if (v.empty()) return std::nullopt;
  auto out = nlohmann::json::object();
  for (const auto& [k, item] : v) out[k] = element_json<T>(encode_value(item));
  return out;
}

class FieldEncoder {
 public:
  explicit FieldEncoder(nlohmann::json& out) : out_(out) {}

  template <class T>
  void operator()(std::string_view key, const T& value) {
    if (auto j = encode_value(value)) out_[std::string(key)] = std::move(*j);
  }
  template <class T>
  void required(std::string_view key, const T& value) {
    auto j = encode_value(value);
    if (!j) {
      if constexpr (requires { value.empty(); }) {
        // Go writes a nil slice/map as null; a required list is an empty list.
        j = std::is_same_v<T, std::string> ? nlohmann::json("") : nlohmann::json();
      } else {
        j = empty_json_for<T>();
      }
    }
    if (!j->is_null()) out_[std::string(key)] = std::move(*j);
  }
  void unknown(const UnknownFields& unknown);

 private:
  nlohmann::json& out_;
};

template <ApiStruct T>
std::optional<nlohmann::json> encode_value(const T& v) {
  nlohmann::json out = nlohmann::json::object();
  FieldEncoder encoder(out);
  // visit_fields takes a mutable reference so that one field list serves every
  // visitor; the encoder only reads.
  visit_fields(encoder, const_cast<T&>(v));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  if (out.empty()) return std::nullopt;
  return out;
}

// ---------------------------------------------------------------------------
// Schema collection

inline SchemaNode leaf(SchemaNode::Kind kind) {
  SchemaNode n;
  n.kind = kind;
  return n;
}
inline SchemaNode schema_of(bool&) {
  return leaf(SchemaNode::Kind::kBoolean);
}
inline SchemaNode schema_of(std::int32_t&) {
  return leaf(SchemaNode::Kind::kInteger);
}
inline SchemaNode schema_of(std::int64_t&) {
  return leaf(SchemaNode::Kind::kInteger);
}
inline SchemaNode schema_of(std::uint32_t&) {
  return leaf(SchemaNode::Kind::kInteger);
}
inline SchemaNode schema_of(std::string&) {
  return leaf(SchemaNode::Kind::kString);
}
inline SchemaNode schema_of(IntOrString&) {
  return leaf(SchemaNode::Kind::kIntOrString);
}
inline SchemaNode schema_of(nlohmann::json&) {
  return leaf(SchemaNode::Kind::kAny);
}

template <ApiStruct T>
SchemaNode schema_of(T& value);
template <class T>
SchemaNode schema_of(std::optional<T>&);
template <class T>
SchemaNode schema_of(std::vector<T>&);
template <class T>
SchemaNode schema_of(std::map<std::string, T>&);

template <class T>
SchemaNode schema_of(std::optional<T>&) {
  T value{};
  return schema_of(value);
}
template <class T>
SchemaNode schema_of(std::vector<T>&) {
  SchemaNode n = leaf(SchemaNode::Kind::kArray);
  T value{};
  n.element.push_back(schema_of(value));
  return n;
}
template <class T>
SchemaNode schema_of(std::map<std::string, T>&) {
  SchemaNode n = leaf(SchemaNode::Kind::kMap);
  T value{};
  n.element.push_back(schema_of(value));
  return n;
}
class SchemaCollector {
 public:
  explicit SchemaCollector(SchemaNode& node) : node_(node) {}

  template <class T>
  void operator()(std::string_view key, T& value) {
    node_.properties[std::string(key)] = schema_of(value);
  }
  template <class T>
  void required(std::string_view key, T& value) {
    node_.required.emplace(key);
    (*this)(key, value);
  }
  void unknown(UnknownFields& /*unknown*/) {}

 private:
  SchemaNode& node_;
};

template <ApiStruct T>
SchemaNode schema_of(T& value) {
  SchemaNode n = leaf(SchemaNode::Kind::kObject);
  SchemaCollector collector(n);
  visit_fields(collector, value);
  return n;
}

template <ApiStruct T>
SchemaNode schema_of() {
  T value{};
  return schema_of(value);
}

// ---------------------------------------------------------------------------
// Entry points

// Decodes a JSON object into T. Type mismatches are errors (with the field path
// and the message a Kubernetes API server gives); missing required fields are
// reported only when `check_required` is set.
template <ApiStruct T>
FieldErrors decode_into(const nlohmann::json& j, T& out, bool check_required = false) {
  DecodeState state;
  state.check_required = check_required;
  out = T{};
  if (!j.is_object()) {
    report_type_error(j, "object", FieldPath(), state);
  } else {
    FieldDecoder decoder(j, FieldPath(), state);
    visit_fields(decoder, out);
  }
  return std::move(state.errors);
}

template <ApiStruct T>
nlohmann::json encode(const T& value) {
  auto j = encode_value(value);
  return j ? std::move(*j) : nlohmann::json::object();
}

}  // namespace druid::api
