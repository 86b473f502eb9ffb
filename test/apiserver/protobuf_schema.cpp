#include "apiserver/protobuf_schema.hpp"

#include <fmt/format.h>

#include <chrono>
#include <limits>
#include <vector>

#include "apiserver/protobuf_wire.hpp"
#include "util/base64.hpp"
#include "util/go_json.hpp"
#include "util/time.hpp"

namespace druid::testing::protobuf {

namespace {

using nlohmann::json;
using DecodeResult = util::Expected<json, std::string>;

// The wrapper messages of resource.Quantity, intstr.IntOrString and metav1.Time
// (apimachinery's generated.proto): decoded like any message, then replaced by
// their JSON form.
constexpr Field kQuantityFields[] = {
    scalar(1, "string", FieldKind::kString, Presence::kAlways),
};
constexpr Message kQuantity{"Quantity", kQuantityFields};

constexpr Field kIntOrStringFields[] = {
    scalar(1, "type", FieldKind::kInt64, Presence::kAlways),
    scalar(2, "intVal", FieldKind::kInt32, Presence::kAlways),
    scalar(3, "strVal", FieldKind::kString, Presence::kAlways),
};
constexpr Message kIntOrString{"IntOrString", kIntOrStringFields};

constexpr Field kTimeFields[] = {
    scalar(1, "seconds", FieldKind::kInt64, Presence::kAlways),
    scalar(2, "nanos", FieldKind::kInt32, Presence::kAlways),
};
constexpr Message kTime{"Time", kTimeFields};

// Go's zero time.Time (January 1, year 1, UTC) in Unix seconds.
constexpr std::int64_t kZeroTimeUnixSeconds = -62135596800;

DecodeResult decode_fields(const Message& type, std::string_view bytes, const std::string& path);

WireType wire_type_of(FieldKind kind) {
  switch (kind) {
    case FieldKind::kInt32:
    case FieldKind::kInt64:
    case FieldKind::kBool:
      return WireType::kVarint;
    default:
      return WireType::kLengthDelimited;
  }
}

const char* wire_type_name(WireType type) {
  switch (type) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "fixed64";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kFixed32:
      return "fixed32";
    default:
      return "group";
  }
}

// metav1.Time keeps whole seconds: its protobuf form drops nanos when read,
// and the zero time is written as no bytes at all.
DecodeResult time_json(std::string_view bytes, const std::string& path) {
  if (bytes.empty()) return json(nullptr);
  auto wrapper = decode_fields(kTime, bytes, path);
  if (!wrapper) return wrapper;
  const auto seconds = (*wrapper)["seconds"].get<std::int64_t>();
  if (seconds == kZeroTimeUnixSeconds) return json(nullptr);
  // util::Time counts nanoseconds in 64 bits (years 1678 to 2262); a time
  // outside that range is refused instead of overflowing.
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
  if (seconds < -kLimit || seconds > kLimit) {
    return util::unexpected(
        fmt::format("{}: time {}s is out of the supported range", path, seconds));
  }
  return json(util::format_rfc3339(util::Time{std::chrono::seconds(seconds)}));
}

DecodeResult decode_value(const Field& field, const WireField& wire, const std::string& path) {
  const WireType expected = wire_type_of(field.kind);
  if (wire.type != expected) {
    return util::unexpected(fmt::format("{}: wire type {}, expected {}", path,
                                        wire_type_name(wire.type), wire_type_name(expected)));
  }
  switch (field.kind) {
    case FieldKind::kString:
      // Go keeps the bytes; its JSON encoder replaces invalid UTF-8 on the way out.
      return json(util::go_valid_utf8(wire.bytes));
    case FieldKind::kBytes:
      return json(util::base64_encode(wire.bytes));
    case FieldKind::kInt32:
      // Negative int32s are sign-extended to ten bytes; the low 32 bits are the value.
      return json(static_cast<std::int32_t>(wire.value));
    case FieldKind::kInt64:
      return json(static_cast<std::int64_t>(wire.value));
    case FieldKind::kBool:
      return json(wire.value != 0);
    case FieldKind::kMessage:
      return decode_fields(*field.message, wire.bytes, path);
    case FieldKind::kQuantity: {
      auto wrapper = decode_fields(kQuantity, wire.bytes, path);
      if (!wrapper) return wrapper;
      return json((*wrapper)["string"]);
    }
    case FieldKind::kIntOrString: {
      auto wrapper = decode_fields(kIntOrString, wire.bytes, path);
      if (!wrapper) return wrapper;
      // intstr.Type: 0 is Int, 1 is String.
      if ((*wrapper)["type"] == 1) return json((*wrapper)["strVal"]);
      return json((*wrapper)["intVal"]);
    }
    case FieldKind::kTime:
      return time_json(wire.bytes, path);
  }
  return util::unexpected(fmt::format("{}: unknown field kind", path));
}

json zero_value(const Field& field) {
  switch (field.kind) {
    case FieldKind::kString:
    case FieldKind::kBytes:
      return "";
    case FieldKind::kInt32:
    case FieldKind::kInt64:
    case FieldKind::kIntOrString:
      return 0;
    case FieldKind::kBool:
      return false;
    case FieldKind::kQuantity:
      return "0";
    case FieldKind::kMessage:
      return json::object();
    case FieldKind::kTime:
      return nullptr;
  }
  return nullptr;
}

bool is_empty(const json& value) {
  if (value.is_null()) return true;
  if (value.is_string()) return value.get_ref<const std::string&>().empty();
  if (value.is_boolean()) return !value.get<bool>();
  if (value.is_number_integer()) return value.get<std::int64_t>() == 0;
  if (value.is_array() || value.is_object()) return value.empty();
  return false;
}

// One map entry: key = 1 (a string), value = 2. Either may be absent on the
// wire, which means empty.
util::Expected<std::pair<std::string, json>, std::string> decode_map_entry(
    const Field& field, std::string_view bytes, const std::string& path) {
  std::string key;
  json value = zero_value(field);
  WireReader reader(bytes);
  while (!reader.done()) {
    auto wire = reader.next();
    if (!wire) return util::unexpected(fmt::format("{}: {}", path, wire.error()));
    if (wire->number == 1) {
      if (wire->type != WireType::kLengthDelimited) {
        return util::unexpected(fmt::format("{}: map key has wire type {}, expected {}", path,
                                            wire_type_name(wire->type),
                                            wire_type_name(WireType::kLengthDelimited)));
      }
      key = util::go_valid_utf8(wire->bytes);
    } else if (wire->number == 2) {
      auto decoded = decode_value(field, *wire, path);
      if (!decoded) return util::unexpected(decoded.error());
      value = std::move(*decoded);
    }
  }
  return std::pair{std::move(key), std::move(value)};
}

DecodeResult decode_fields(const Message& type, std::string_view bytes, const std::string& path) {
  std::vector<json> values(type.fields.size());
  std::vector<bool> seen(type.fields.size(), false);
  WireReader reader(bytes);
  while (!reader.done()) {
    auto wire = reader.next();
    if (!wire) return util::unexpected(fmt::format("{}: {}", path, wire.error()));
    std::size_t index = 0;
    while (index < type.fields.size() && type.fields[index].number != wire->number) ++index;
    if (index == type.fields.size()) continue;  // a field this server does not model
    const Field& field = type.fields[index];
    const std::string field_path = field.inlined ? path : path + "." + field.json_name;
    json& slot = values[index];
    switch (field.cardinality) {
      case Cardinality::kSingle: {
        auto decoded = decode_value(field, *wire, field_path);
        if (!decoded) return decoded;
        // A message field that occurs twice is merged, as protobuf specifies.
        if (seen[index] && slot.is_object() && decoded->is_object()) {
          slot.update(*decoded);
        } else {
          slot = std::move(*decoded);
        }
        break;
      }
      case Cardinality::kRepeated: {
        if (!seen[index]) slot = json::array();
        auto decoded = decode_value(field, *wire, fmt::format("{}[{}]", field_path, slot.size()));
        if (!decoded) return decoded;
        slot.push_back(std::move(*decoded));
        break;
      }
      case Cardinality::kMap: {
        if (!seen[index]) slot = json::object();
        if (wire->type != WireType::kLengthDelimited) {
          return util::unexpected(fmt::format("{}: map entry has wire type {}, expected {}",
                                              field_path, wire_type_name(wire->type),
                                              wire_type_name(WireType::kLengthDelimited)));
        }
        auto entry = decode_map_entry(field, wire->bytes, field_path);
        if (!entry) return util::unexpected(entry.error());
        slot[entry->first] = std::move(entry->second);
        break;
      }
    }
    seen[index] = true;
  }

  json object = json::object();
  for (std::size_t i = 0; i < type.fields.size(); ++i) {
    const Field& field = type.fields[i];
    json& value = values[i];
    if (!seen[i]) {
      if (field.presence != Presence::kAlways) continue;
      // Go's nil slice or map marshals as null.
      value = field.cardinality == Cardinality::kSingle ? zero_value(field) : json(nullptr);
    } else if (field.presence == Presence::kOmitEmpty && is_empty(value)) {
      continue;
    }
    if (field.inlined && value.is_object()) {
      for (auto& [k, v] : value.items()) object[k] = std::move(v);
    } else {
      object[field.json_name] = std::move(value);
    }
  }
  return object;
}

}  // namespace

util::Expected<json, std::string> decode_message(const Message& type, std::string_view bytes) {
  return decode_fields(type, bytes, type.name);
}

}  // namespace druid::testing::protobuf
