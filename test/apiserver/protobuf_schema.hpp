#pragma once
// Protobuf messages described as tables, and their decoding into the JSON a
// Kubernetes API server would have stored had the object come as JSON: the
// field numbers are those of Kubernetes' generated.proto files, the JSON names
// and omission rules those of its Go types' `json` tags.
//
// The two encodings disagree on empty values: gogo-protobuf writes every
// non-pointer scalar (an empty string, a zero), while encoding/json omits them
// under `omitempty`. Each field therefore says how it appears in JSON
// (Presence). Unknown field numbers are skipped, as protobuf requires.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace druid::testing::protobuf {

enum class FieldKind : std::uint8_t {
  kString,
  kBytes,  // base64 in JSON
  kInt32,
  kInt64,
  kBool,
  kMessage,
  kQuantity,     // resource.Quantity: its string
  kIntOrString,  // intstr.IntOrString: a number or a string
  kTime,         // metav1.Time: RFC 3339 in whole seconds; the zero time is null
};

enum class Cardinality : std::uint8_t {
  kSingle,
  kRepeated,
  kMap,  // map<string, kind>: entries with key = 1 and value = 2
};

enum class Presence : std::uint8_t {
  kOmitEmpty,  // `omitempty` on a value: left out when zero or empty
  kPointer,    // a Go pointer (or any message): in JSON whenever on the wire
  kAlways,     // no `omitempty`: in JSON even when absent (zero, or null for lists and maps)
};

struct Message;

struct Field {
  std::uint32_t number = 0;
  const char* json_name = "";
  FieldKind kind = FieldKind::kString;
  Cardinality cardinality = Cardinality::kSingle;
  Presence presence = Presence::kOmitEmpty;
  const Message* message = nullptr;  // kMessage
  bool inlined = false;              // kMessage with `json:",inline"`: its fields join the parent
};

struct Message {
  const char* name;  // for error messages
  std::span<const Field> fields;
};

// Terse constructors for the tables in protobuf_kinds.cpp.
constexpr Field scalar(std::uint32_t number, const char* json_name, FieldKind kind,
                       Presence presence = Presence::kOmitEmpty) {
  return {number, json_name, kind, Cardinality::kSingle, presence, nullptr, false};
}
constexpr Field repeated(std::uint32_t number, const char* json_name, FieldKind kind,
                         Presence presence = Presence::kOmitEmpty) {
  return {number, json_name, kind, Cardinality::kRepeated, presence, nullptr, false};
}
constexpr Field map_of(std::uint32_t number, const char* json_name, FieldKind value_kind) {
  return {number, json_name, value_kind, Cardinality::kMap, Presence::kOmitEmpty, nullptr, false};
}
constexpr Field message(std::uint32_t number, const char* json_name, const Message& type) {
  return {number, json_name, FieldKind::kMessage, Cardinality::kSingle, Presence::kPointer,
          &type,  false};
}
constexpr Field messages(std::uint32_t number, const char* json_name, const Message& type,
                         Presence presence = Presence::kOmitEmpty) {
  return {number, json_name, FieldKind::kMessage, Cardinality::kRepeated, presence, &type, false};
}
constexpr Field inlined(std::uint32_t number, const Message& type) {
  return {number, "", FieldKind::kMessage, Cardinality::kSingle, Presence::kPointer, &type, true};
}

// The JSON object for `bytes` encoded as `type`. Errors name the field path,
// e.g. `Secret.metadata.labels: truncated varint`.
util::Expected<nlohmann::json, std::string> decode_message(const Message& type,
                                                           std::string_view bytes);

}  // namespace druid::testing::protobuf
