#include "apiserver/json_patch.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "util/text.hpp"

namespace druid::testing {

using nlohmann::json;

// ---------------------------------------------------------------------------
// RFC 6902, following gopkg.in/evanphx/json-patch.v4 step by step so that the
// results (including its quirks, e.g. `replace` of an absent object key acting
// as `add`) and the error texts are the ones kubectl sees from a real server.

namespace {

constexpr std::string_view kMissing = "missing value";
constexpr std::string_view kInvalidIndex = "invalid index referenced";
constexpr std::string_view kTestFailed = "test failed";

// errors.Wrapf(cause, "...") prints "<message>: <cause>".
std::string wrap(std::string_view message, std::string_view cause) {
  return fmt::format("{}: {}", message, cause);
}

// RFC 6901: "~1" is "/", "~0" is "~", replaced left to right in one pass.
std::string decode_key(std::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] == '~' && i + 1 < part.size() && (part[i + 1] == '0' || part[i + 1] == '1')) {
      out += part[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += part[i];
    }
  }
  return out;
}

// strconv.Atoi with Go's error texts.
util::Expected<long long, std::string> go_atoi(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  bool all_digits = !digits.empty();
  for (char c : digits) all_digits = all_digits && c >= '0' && c <= '9';
  if (!all_digits) {
    return util::unexpected(fmt::format("strconv.Atoi: parsing \"{}\": invalid syntax", text));
  }
  long long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return util::unexpected(fmt::format("strconv.Atoi: parsing \"{}\": value out of range", text));
  }
  return negative ? -value : value;
}

std::string invalid_index(long long index) {
  return wrap(fmt::format("Unable to access invalid index: {}", index), kInvalidIndex);
}

// An array index for get/set/remove: negative counts from the end.
util::Expected<std::size_t, std::string> existing_index(const json& array, const std::string& key) {
  auto parsed = go_atoi(key);
  if (!parsed) return util::unexpected(parsed.error());
  long long index = *parsed;
  const auto size = static_cast<long long>(array.size());
  if (index < 0) {
    if (index < -size) return util::unexpected(invalid_index(index));
    index += size;
  }
  if (index >= size) return util::unexpected(invalid_index(index));
  return static_cast<std::size_t>(index);
}

// The container a path points into and the last (decoded) key; container is
// null when some parent is missing, null, or not a container.
struct Location {
  json* container = nullptr;
  std::string key;
};

// container.get(key): objects answer nullptr for absent keys (and null values),
// arrays fail on a bad or out-of-range index.
util::Expected<json*, std::string> get_child(json& container, const std::string& key) {
  if (container.is_object()) {
    auto it = container.find(key);
    if (it == container.end() || it->is_null()) return static_cast<json*>(nullptr);
    return &*it;
  }
  auto index = existing_index(container, key);
  if (!index) return util::unexpected(index.error());
  json* child = &container[*index];
  return child->is_null() ? nullptr : child;
}

Location find_object(json& doc, const std::string& path) {
  std::vector<std::string> parts;
  for (std::string_view part : util::split(path, '/')) parts.emplace_back(part);
  if (parts.size() < 2) return {};
  json* current = &doc;
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    auto next = get_child(*current, decode_key(parts[i]));
    if (!next || *next == nullptr) return {};
    if (!(*next)->is_object() && !(*next)->is_array()) return {};
    current = *next;
  }
  return {current, decode_key(parts.back())};
}

util::Expected<void, std::string> add_child(json& container, const std::string& key, json value) {
  if (container.is_object()) {
    container[key] = std::move(value);
    return {};
  }
  if (key == "-") {
    container.push_back(std::move(value));
    return {};
  }
  auto parsed = go_atoi(key);
  if (!parsed) {
    return util::unexpected(
        wrap(fmt::format("value was not a proper array index: '{}'", key), parsed.error()));
  }
  long long index = *parsed;
  const auto grown = static_cast<long long>(container.size()) + 1;
  if (index >= grown || index < -grown) return util::unexpected(invalid_index(index));
  if (index < 0) index += grown;
  container.insert(container.begin() + index, std::move(value));
  return {};
}

util::Expected<void, std::string> remove_child(json& container, const std::string& key) {
  if (container.is_object()) {
    if (!container.contains(key)) {
      return util::unexpected(
          wrap(fmt::format("Unable to remove nonexistent key: {}", key), kMissing));
    }
    container.erase(key);
    return {};
  }
  auto index = existing_index(container, key);
  if (!index) return util::unexpected(index.error());
  container.erase(*index);
  return {};
}

// lazyNode.equal: primitives compare by their compact text; an object equals
// another when every key of the first is in the second with an equal value.
bool lazy_equal(const json& left, const json& right) {
  if (left.is_object()) {
    if (!right.is_object()) return false;
    for (const auto& [key, value] : left.items()) {
      auto it = right.find(key);
      if (it == right.end()) return false;
      if (value.is_null() && it->is_null()) continue;
      if (value.is_null() || it->is_null() || !lazy_equal(value, *it)) return false;
    }
    return true;
  }
  if (left.is_array()) {
    if (!right.is_array() || left.size() != right.size()) return false;
    for (std::size_t i = 0; i < left.size(); ++i) {
      if (left[i].is_null() && right[i].is_null()) continue;
      if (left[i].is_null() || right[i].is_null() || !lazy_equal(left[i], right[i])) return false;
    }
    return true;
  }
  return left.dump() == right.dump();
}

// An operation's string member ("path", "from"); nullopt when absent or not a string.
std::optional<std::string> string_member(const json& op, const char* name) {
  auto it = op.find(name);
  if (it == op.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

json value_member(const json& op) {
  auto it = op.find("value");
  return it == op.end() ? json(nullptr) : *it;
}

using OperationResult = util::Expected<void, std::string>;
const std::string kMissingPath = wrap("operation missing path field", kMissing);
const std::string kMissingFrom = wrap("operation, missing from field", kMissing);

OperationResult op_add(json& doc, const json& op) {
  auto path = string_member(op, "path");
  if (!path) return util::unexpected(wrap("add operation failed to decode path", kMissing));
  Location at = find_object(doc, *path);
  if (at.container == nullptr) {
    return util::unexpected(wrap(
        fmt::format("add operation does not apply: doc is missing path: \"{}\"", *path), kMissing));
  }
  auto added = add_child(*at.container, at.key, value_member(op));
  if (!added)
    return util::unexpected(wrap(fmt::format("error in add for path: '{}'", *path), added.error()));
  return {};
}

OperationResult op_remove(json& doc, const json& op) {
  auto path = string_member(op, "path");
  if (!path) return util::unexpected(wrap("remove operation failed to decode path", kMissing));
  Location at = find_object(doc, *path);
  if (at.container == nullptr) {
    return util::unexpected(
        wrap(fmt::format("remove operation does not apply: doc is missing path: \"{}\"", *path),
             kMissing));
  }
  auto removed = remove_child(*at.container, at.key);
  if (!removed) {
    return util::unexpected(
        wrap(fmt::format("error in remove for path: '{}'", *path), removed.error()));
  }
  return {};
}

OperationResult op_replace(json& doc, const json& op) {
  auto path = string_member(op, "path");
  if (!path) return util::unexpected(wrap("replace operation failed to decode path", kMissingPath));
  if (path->empty()) {
    json value = value_member(op);
    if (!value.is_object() && !value.is_array()) {
      return util::unexpected(std::string("replace operation value must be object or array"));
    }
    doc = std::move(value);
    return {};
  }
  Location at = find_object(doc, *path);
  if (at.container == nullptr) {
    return util::unexpected(wrap(
        fmt::format("replace operation does not apply: doc is missing path: {}", *path), kMissing));
  }
  if (auto existing = get_child(*at.container, at.key); !existing) {
    return util::unexpected(wrap(
        fmt::format("replace operation does not apply: doc is missing key: {}", *path), kMissing));
  }
  if (at.container->is_object()) {
    (*at.container)[at.key] = value_member(op);
  } else {
    (*at.container)[*existing_index(*at.container, at.key)] = value_member(op);
  }
  return {};
}

OperationResult op_move(json& doc, const json& op) {
  auto from = string_member(op, "from");
  if (!from) return util::unexpected(wrap("move operation failed to decode from", kMissingFrom));
  Location source = find_object(doc, *from);
  if (source.container == nullptr) {
    return util::unexpected(
        wrap(fmt::format("move operation does not apply: doc is missing from path: {}", *from),
             kMissing));
  }
  auto child = get_child(*source.container, source.key);
  if (!child) {
    return util::unexpected(
        wrap(fmt::format("error in move for path: '{}'", source.key), child.error()));
  }
  json value = *child == nullptr ? json(nullptr) : **child;
  auto removed = remove_child(*source.container, source.key);
  if (!removed) {
    return util::unexpected(
        wrap(fmt::format("error in move for path: '{}'", source.key), removed.error()));
  }
  auto path = string_member(op, "path");
  if (!path) return util::unexpected(wrap("move operation failed to decode path", kMissingPath));
  Location target = find_object(doc, *path);
  if (target.container == nullptr) {
    return util::unexpected(wrap(
        fmt::format("move operation does not apply: doc is missing destination path: {}", *path),
        kMissing));
  }
  auto added = add_child(*target.container, target.key, std::move(value));
  if (!added)
    return util::unexpected(
        wrap(fmt::format("error in move for path: '{}'", *path), added.error()));
  return {};
}

OperationResult op_test(json& doc, const json& op) {
  auto path = string_member(op, "path");
  if (!path) return util::unexpected(wrap("test operation failed to decode path", kMissingPath));
  const std::string failed = wrap(fmt::format("testing value {} failed", *path), kTestFailed);
  // The v4 library cannot address the whole document: a test of "" fails here.
  Location at = find_object(doc, *path);
  if (at.container == nullptr) {
    return util::unexpected(
        wrap(fmt::format("test operation does not apply: is missing path: {}", *path), kMissing));
  }
  auto child = get_child(*at.container, at.key);
  if (!child)
    return util::unexpected(
        wrap(fmt::format("error in test for path: '{}'", *path), child.error()));
  json expected = value_member(op);
  if (*child == nullptr) {
    if (expected.is_null()) return {};
    return util::unexpected(failed);
  }
  if (!op.contains("value")) return util::unexpected(failed);
  if (!expected.is_null() && lazy_equal(**child, expected)) return {};
  return util::unexpected(failed);
}

OperationResult op_copy(json& doc, const json& op) {
  auto from = string_member(op, "from");
  if (!from) return util::unexpected(wrap("copy operation failed to decode from", kMissingFrom));
  Location source = find_object(doc, *from);
  if (source.container == nullptr) {
    return util::unexpected(
        wrap(fmt::format("copy operation does not apply: doc is missing from path: {}", *from),
             kMissing));
  }
  auto child = get_child(*source.container, source.key);
  if (!child)
    return util::unexpected(
        wrap(fmt::format("error in copy for from: '{}'", *from), child.error()));
  // The library copies an absent object member as null.
  json value = *child == nullptr ? json(nullptr) : **child;
  auto path = string_member(op, "path");
  if (!path) return util::unexpected(wrap("copy operation failed to decode path", kMissing));
  Location target = find_object(doc, *path);
  if (target.container == nullptr) {
    return util::unexpected(wrap(
        fmt::format("copy operation does not apply: doc is missing destination path: {}", *path),
        kMissing));
  }
  auto added = add_child(*target.container, target.key, std::move(value));
  if (!added) return util::unexpected(wrap("error while adding value during copy", added.error()));
  return {};
}

std::string go_json_type(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "bool";
    default:
      return "number";
  }
}

}  // namespace

util::Expected<json, PatchError> apply_json_patch(const json& target, const json& patch) {
  // jsonpatch.DecodePatch: encoding/json's errors for documents of the wrong shape;
  // `null` decodes to no operations.
  if (patch.is_null()) return target;
  if (!patch.is_array()) {
    return util::unexpected(
        PatchError{PatchErrorKind::kBadRequest,
                   fmt::format("json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                               go_json_type(patch))});
  }
  for (const json& op : patch) {
    if (!op.is_object() && !op.is_null()) {
      return util::unexpected(PatchError{
          PatchErrorKind::kBadRequest,
          fmt::format("json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                      go_json_type(op))});
    }
  }
  if (patch.size() > kMaxJsonPatchOperations) {
    return util::unexpected(
        PatchError{PatchErrorKind::kTooLarge,
                   fmt::format("The allowed maximum operations in a JSON patch is {}, got {}",
                               kMaxJsonPatchOperations, patch.size())});
  }

  json doc = target;
  for (const json& op : patch) {
    const json operation = op.is_null() ? json::object() : op;
    auto kind_it = operation.find("op");
    std::string kind = kind_it != operation.end() && kind_it->is_string()
                           ? kind_it->get<std::string>()
                           : "unknown";
    OperationResult result;
    if (kind == "add") {
      result = op_add(doc, operation);
    } else if (kind == "remove") {
      result = op_remove(doc, operation);
    } else if (kind == "replace") {
      result = op_replace(doc, operation);
    } else if (kind == "move") {
      result = op_move(doc, operation);
    } else if (kind == "test") {
      result = op_test(doc, operation);
    } else if (kind == "copy") {
      result = op_copy(doc, operation);
    } else {
      result = util::unexpected(fmt::format("Unexpected kind: {}", kind));
    }
    if (!result)
      return util::unexpected(PatchError{PatchErrorKind::kUnprocessable, result.error()});
  }
  return doc;
}

}  // namespace druid::testing
