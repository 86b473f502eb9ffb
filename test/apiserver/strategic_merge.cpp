#include "apiserver/strategic_merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "apiserver/jsonpath.hpp"

namespace druid::testing {

using nlohmann::json;

const PatchField* PatchMeta::field(std::string_view json_name) const {
  auto it = fields_.find(json_name);
  return it == fields_.end() ? nullptr : &it->second;
}

PatchMeta& PatchMeta::add(std::string json_name, PatchField field) {
  fields_.insert_or_assign(std::move(json_name), std::move(field));
  return *this;
}

namespace {

// ---------------------------------------------------------------------------
// Directives and the errors of k8s.io/apimachinery/pkg/util/mergepatch

constexpr std::string_view kDirectiveMarker = "$patch";
constexpr std::string_view kRetainKeysDirective = "$retainKeys";
constexpr std::string_view kDeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
constexpr std::string_view kSetElementOrderPrefix = "$setElementOrder";

constexpr std::string_view kErrBadPatchFormatForPrimitiveList =
    "invalid patch format of primitive list";
constexpr std::string_view kErrBadPatchFormatForRetainKeys = "invalid patch format of retainKeys";
constexpr std::string_view kErrBadPatchFormatForSetElementOrderList =
    "invalid patch format of setElementOrder list";
constexpr std::string_view kErrNoListOfLists = "lists of lists are not supported";

template <class T>
using PatchResult = util::Expected<T, PatchError>;

// The API server's interpretStrategicMergePatchError: the patch-format errors are
// 400, lists of lists 422, and everything else an unclassified 500.
util::Unexpected<PatchError> bad_request(std::string_view message) {
  return util::unexpected(PatchError{PatchErrorKind::kBadRequest, std::string(message)});
}
util::Unexpected<PatchError> unprocessable(std::string_view message) {
  return util::unexpected(PatchError{PatchErrorKind::kUnprocessable, std::string(message)});
}
util::Unexpected<PatchError> internal(std::string message) {
  return util::unexpected(PatchError{PatchErrorKind::kInternal, std::move(message)});
}

// The dynamic Go type of an unstructured value (reflect.TypeOf): int64 and
// float64 differ, which matters for list element types and for ==.
enum class GoType { kNil, kMap, kSlice, kString, kInt, kFloat, kBool };

GoType go_type(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return GoType::kNil;
    case json::value_t::object:
      return GoType::kMap;
    case json::value_t::array:
      return GoType::kSlice;
    case json::value_t::string:
      return GoType::kString;
    case json::value_t::boolean:
      return GoType::kBool;
    case json::value_t::number_float:
      return GoType::kFloat;
    default:
      return GoType::kInt;
  }
}

std::string go_type_name(GoType type) {
  switch (type) {
    case GoType::kNil:
      return "<nil>";
    case GoType::kMap:
      return "map[string]interface {}";
    case GoType::kSlice:
      return "[]interface {}";
    case GoType::kString:
      return "string";
    case GoType::kInt:
      return "int64";
    case GoType::kFloat:
      return "float64";
    case GoType::kBool:
      return "bool";
  }
  return "<nil>";
}

// interface{} == interface{} for the values that can be compared.
bool go_equal(const json& left, const json& right) {
  return go_type(left) == go_type(right) && left == right;
}

util::Unexpected<PatchError> err_bad_arg_type(GoType expected, const json& actual) {
  return internal(fmt::format("expected a {}, but received a {}", go_type_name(expected),
                              go_type_name(go_type(actual))));
}
util::Unexpected<PatchError> err_no_merge_key(const json& map, std::string_view key) {
  return internal(
      fmt::format("map: {} does not contain declared merge key: {}", go_sprint(map), key));
}
util::Unexpected<PatchError> err_bad_patch_type(const json& type, const json& map) {
  return internal(
      fmt::format("unknown patch type: {} in map: {}", go_sprint(type), go_sprint(map)));
}

// extractKey: "$setElementOrder/containers" -> "containers".
PatchResult<std::string> extract_key(std::string_view key, std::string_view prefix) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix) {
    if (prefix == kDeleteFromPrimitiveListPrefix)
      return bad_request(kErrBadPatchFormatForPrimitiveList);
    return bad_request(kErrBadPatchFormatForSetElementOrderList);
  }
  return std::string(key.substr(slash + 1));
}

// discardNullValuesFromPatch; also what decoding into the Go type does to nulls
// that a patch carries into the object.
void discard_nulls(json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_null()) {
        it = value.erase(it);
      } else {
        discard_nulls(*it);
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (json& item : value) discard_nulls(item);
  }
}

// removeDirectives: maps carrying $patch disappear (nullopt), recursively.
std::optional<json> remove_directives(json value) {
  if (value.is_object()) {
    if (value.contains(kDirectiveMarker)) return std::nullopt;
    for (auto it = value.begin(); it != value.end();) {
      auto kept = remove_directives(std::move(*it));
      if (!kept) {
        it = value.erase(it);
      } else {
        *it = std::move(*kept);
        ++it;
      }
    }
    return value;
  }
  if (value.is_array()) {
    json result = json::array();
    for (json& item : value) {
      if (auto kept = remove_directives(std::move(item))) result.push_back(std::move(*kept));
    }
    return result;
  }
  return value;
}

// sliceElementType: all items of both lists must have one type, not a list.
PatchResult<GoType> slice_element_type(const json& original, const json& patch) {
  std::optional<GoType> previous;
  for (const json* list : {&original, &patch}) {
    for (const json& item : *list) {
      GoType type = go_type(item);
      if (!previous) {
        if (type == GoType::kSlice) return unprocessable(kErrNoListOfLists);
        previous = type;
      } else if (*previous != type) {
        return internal(fmt::format("list element types are not identical: {}",
                                    go_sprint(json::array({original, patch}))));
      }
    }
  }
  if (!previous) return internal("no elements in any of the given slices");
  return *previous;
}

// findMapInSliceBasedOnKeyValue: the index of the map whose merge key equals value.
PatchResult<std::optional<std::size_t>> find_map(const json& list, const std::string& key,
                                                 const json& value) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) return internal(fmt::format("value for key {} is not a map", i));
    auto it = list[i].find(key);
    if (it != list[i].end() && go_equal(*it, value)) return std::optional<std::size_t>(i);
  }
  return std::optional<std::size_t>();
}

// deduplicateScalars, with its order-changing swap (the order is normalized later).
json deduplicate_scalars(json list) {
  long length = static_cast<long>(list.size()) - 1;
  for (long i = 0; i < length; ++i) {
    for (long j = i + 1; j <= length; ++j) {
      if (go_equal(list[static_cast<std::size_t>(i)], list[static_cast<std::size_t>(j)])) {
        list[static_cast<std::size_t>(j)] = list[static_cast<std::size_t>(length)];
        list.erase(static_cast<std::size_t>(length));
        --length;
        --j;
      }
    }
  }
  return list;
}

json delete_from_slice(const json& current, const json& to_delete) {
  json processed = json::array();
  for (const json& value : current) {
    bool deleted = std::any_of(to_delete.begin(), to_delete.end(),
                               [&](const json& candidate) { return go_equal(candidate, value); });
    if (!deleted) processed.push_back(value);
  }
  return processed;
}

// The value an item is ordered by: the merge key of a map, the item itself otherwise.
const json* order_value(const json& item, const std::string& merge_key, bool maps) {
  static const json kNull;
  if (!maps) return &item;
  if (!item.is_object()) return &kNull;
  auto it = item.find(merge_key);
  return it == item.end() ? &kNull : &*it;
}

// index(): the position of an item in a list, or -1.
long index_of(const json& list, const json& item, const std::string& merge_key, bool maps) {
  const json* wanted = order_value(item, merge_key, maps);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (go_equal(*order_value(list[i], merge_key, maps), *wanted)) return static_cast<long>(i);
  }
  return -1;
}

PatchResult<bool> validate_merge_key_in_lists(const std::string& merge_key,
                                              std::initializer_list<const json*> lists) {
  for (const json* list : lists) {
    for (const json& item : *list) {
      if (!item.is_object()) return err_bad_arg_type(GoType::kMap, item);
      if (!item.contains(merge_key)) return err_no_merge_key(item, merge_key);
    }
  }
  return true;
}

// normalizeSliceOrder: sort by the position in `order`; `$patch: delete` items last.
PatchResult<json> normalize_slice_order(json to_sort, const json& order,
                                        const std::string& merge_key, bool maps) {
  json to_delete = json::array();
  if (maps) {
    auto valid = validate_merge_key_in_lists(merge_key, {&to_sort, &order});
    if (!valid) return util::unexpected(valid.error());
    json kept = json::array();
    for (json& item : to_sort) {
      auto directive = item.find(kDirectiveMarker);
      if (directive != item.end() && *directive == "delete") {
        to_delete.push_back(std::move(item));
      } else {
        kept.push_back(std::move(item));
      }
    }
    to_sort = std::move(kept);
  }
  std::vector<std::pair<long, json>> keyed;
  for (json& item : to_sort) {
    long position = index_of(order, item, merge_key, maps);
    keyed.emplace_back(position < 0 ? std::numeric_limits<long>::max() : position, std::move(item));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& left, const auto& right) { return left.first < right.first; });
  json sorted = json::array();
  for (auto& [position, item] : keyed) sorted.push_back(std::move(item));
  for (json& item : to_delete) sorted.push_back(std::move(item));
  return sorted;
}

// mergeSortedSlice: interleaves server-only items (left) into the patch items
// (right), using the live order where both items are in it.
json merge_sorted_slice(const json& left, const json& right, const json& server_order,
                        const std::string& merge_key, bool maps) {
  json merged = json::array();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      merged.push_back(right[j++]);
    } else if (j >= right.size()) {
      merged.push_back(left[i++]);
    } else {
      long li = index_of(server_order, left[i], merge_key, maps);
      long ri = index_of(server_order, right[j], merge_key, maps);
      if (li >= 0 && ri >= 0 && li < ri) {
        merged.push_back(left[i++]);
      } else {
        merged.push_back(right[j++]);
      }
    }
  }
  return merged;
}

PatchResult<json> normalize_element_order(const json& patch_items, const json& server_only,
                                          const json& patch_order, const json& server_order,
                                          const std::string& merge_key, bool maps) {
  auto patch_sorted = normalize_slice_order(patch_items, patch_order, merge_key, maps);
  if (!patch_sorted) return patch_sorted;
  auto server_sorted = normalize_slice_order(server_only, server_order, merge_key, maps);
  if (!server_sorted) return server_sorted;
  return merge_sorted_slice(*server_sorted, *patch_sorted, server_order, merge_key, maps);
}

// partition{Primitives,Maps}ByPresentInList: (items in `by`, the others).
PatchResult<std::pair<json, json>> partition(const json& merged, const json& by,
                                             const std::string& merge_key) {
  json present = json::array();
  json absent = json::array();
  for (const json& item : merged) {
    bool found = false;
    if (merge_key.empty()) {
      found = std::any_of(by.begin(), by.end(),
                          [&](const json& other) { return go_equal(other, item); });
    } else {
      if (!item.is_object()) return err_bad_arg_type(GoType::kMap, item);
      auto value = item.find(merge_key);
      if (value == item.end()) return err_no_merge_key(item, merge_key);
      auto index = find_map(by, merge_key, *value);
      if (!index) return util::unexpected(index.error());
      found = index->has_value();
    }
    (found ? present : absent).push_back(item);
  }
  return std::make_pair(std::move(present), std::move(absent));
}

// ---------------------------------------------------------------------------
// The merge (strategicpatch.mergeMap and friends, with MergeParallelList and
// IgnoreUnmatchedNulls as StrategicMergeMapPatch sets them)

PatchResult<json> merge_map(json original, json patch, const PatchMeta* schema);

struct FieldInfo {
  const PatchMeta* type = nullptr;
  PatchStrategy strategy = PatchStrategy::kNone;
  std::string merge_key;
};

FieldInfo lookup(const PatchMeta* schema, const std::string& key) {
  const PatchField* field = schema != nullptr ? schema->field(key) : nullptr;
  if (field == nullptr) return {};
  return {field->type, field->strategy, field->merge_key};
}

PatchResult<json> merge_slice_with_special_elements(json& original, const json& patch,
                                                    const std::string& merge_key) {
  json without_special = json::array();
  bool replace = false;
  for (const json& item : patch) {
    auto directive = item.find(kDirectiveMarker);
    if (directive == item.end()) {
      without_special.push_back(item);
    } else if (*directive == "delete") {
      auto value = item.find(merge_key);
      if (value == item.end()) return err_no_merge_key(item, merge_key);
      while (true) {
        auto index = find_map(original, merge_key, *value);
        if (!index) return util::unexpected(index.error());
        if (!index->has_value()) break;
        original.erase(**index);
      }
    } else if (*directive == "replace") {
      replace = true;  // the other $patch items are still pruned
    } else if (*directive == "merge") {
      return internal("merging lists cannot yet be specified in the patch");
    } else {
      return err_bad_patch_type(*directive, item);
    }
  }
  if (replace) {
    original = std::move(without_special);
    return json::array();
  }
  return without_special;
}

PatchResult<json> merge_slice_without_special_elements(json original, const json& patch,
                                                       const std::string& merge_key,
                                                       const PatchMeta* schema) {
  for (const json& item : patch) {
    auto value = item.find(merge_key);
    if (value == item.end()) return err_no_merge_key(item, merge_key);
    auto index = find_map(original, merge_key, *value);
    if (!index) return util::unexpected(index.error());
    if (index->has_value()) {
      auto merged = merge_map(original[**index], item, schema);
      if (!merged) return merged;
      original[**index] = std::move(*merged);
    } else {
      json added = item;
      discard_nulls(added);
      original.push_back(std::move(added));
    }
  }
  return original;
}

PatchResult<json> merge_slice(json original, json patch, const PatchMeta* schema,
                              const std::string& merge_key, bool is_delete_list) {
  if (original.empty() && patch.empty()) return original;
  auto element_type = slice_element_type(original, patch);
  if (!element_type) return util::unexpected(element_type.error());
  const bool maps = *element_type == GoType::kMap;
  json merged;
  if (!maps) {
    if (is_delete_list) return delete_from_slice(original, patch);
    json both = original;
    for (const json& item : patch) both.push_back(item);
    merged = deduplicate_scalars(std::move(both));
  } else {
    if (merge_key.empty()) {
      return internal(fmt::format("cannot merge lists without merge key for {}",
                                  schema != nullptr ? schema->name() : "struct"));
    }
    auto remaining = merge_slice_with_special_elements(original, patch, merge_key);
    if (!remaining) return remaining;
    patch = std::move(*remaining);
    auto result = merge_slice_without_special_elements(original, patch, merge_key, schema);
    if (!result) return result;
    merged = std::move(*result);
  }
  // The merge key of primitives is the value itself.
  auto parts = partition(merged, patch, maps ? merge_key : std::string());
  if (!parts) return util::unexpected(parts.error());
  return normalize_element_order(parts->first, parts->second, patch, original, merge_key, maps);
}

PatchResult<json> merge_slice_handler(const json& original, const json& patch,
                                      const FieldInfo& field, bool is_delete_list) {
  if (field.strategy == PatchStrategy::kMerge || is_delete_list) {
    return merge_slice(original, patch, field.type, field.merge_key, is_delete_list);
  }
  json replaced = patch;
  discard_nulls(replaced);
  return replaced;
}

PatchResult<json> merge_map_handler(const json& original, const json& patch,
                                    const FieldInfo& field) {
  if (field.strategy != PatchStrategy::kReplace) return merge_map(original, patch, field.type);
  json replaced = patch;
  discard_nulls(replaced);
  return replaced;
}

PatchResult<json> handle_directive_in_merge_map(const json& directive, json patch) {
  if (directive == "replace") {
    patch.erase(kDirectiveMarker);
    discard_nulls(patch);
    return patch;
  }
  if (directive == "delete") return json::object();
  return err_bad_patch_type(directive, patch);
}

PatchResult<bool> apply_retain_keys_directive(json& original, json& patch) {
  auto it = patch.find(kRetainKeysDirective);
  if (it == patch.end()) return true;
  json retain = std::move(*it);
  patch.erase(it);
  if (!retain.is_array()) return bad_request(kErrBadPatchFormatForRetainKeys);
  std::set<std::string, std::less<>> keys;
  for (const json& value : retain) {
    if (value.is_string()) keys.insert(value.get<std::string>());
  }
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null() || key.starts_with(kDeleteFromPrimitiveListPrefix) ||
        key.starts_with(kSetElementOrderPrefix)) {
      continue;
    }
    if (!keys.contains(key)) return bad_request(kErrBadPatchFormatForRetainKeys);
  }
  for (auto member = original.begin(); member != original.end();) {
    if (keys.contains(member.key())) {
      ++member;
    } else {
      member = original.erase(member);
    }
  }
  return true;
}

// validatePatchWithSetOrderList: the patch items appear in $setElementOrder in
// the same relative order.
PatchResult<bool> validate_patch_with_set_order_list(const json& patch_list, const json& order,
                                                     const std::string& merge_key) {
  if (order.empty() || patch_list.empty()) return true;
  json non_delete = json::array();
  if (!merge_key.empty()) {
    for (const json& item : patch_list) {
      if (!item.is_object()) return err_bad_arg_type(GoType::kMap, item);
      auto directive = item.find(kDirectiveMarker);
      if (directive == item.end() || *directive != "delete") non_delete.push_back(item);
    }
  } else {
    non_delete = patch_list;
  }
  std::size_t patch_index = 0;
  std::size_t order_index = 0;
  while (patch_index < non_delete.size() && order_index < order.size()) {
    const json& item = non_delete[patch_index];
    if (item.is_object() && item.contains(kDirectiveMarker)) {
      ++patch_index;
      continue;
    }
    bool equal = false;
    if (merge_key.empty()) {
      equal = go_equal(item, order[order_index]);
    } else {
      const json& wanted = order[order_index];
      if (!item.is_object()) return err_bad_arg_type(GoType::kMap, item);
      if (!wanted.is_object()) return err_bad_arg_type(GoType::kMap, wanted);
      if (!item.contains(merge_key)) return err_no_merge_key(item, merge_key);
      if (!wanted.contains(merge_key)) return err_no_merge_key(wanted, merge_key);
      equal = go_equal(item[merge_key], wanted[merge_key]);
    }
    if (equal) ++patch_index;
    ++order_index;
  }
  if (patch_index < non_delete.size() && order_index >= order.size()) {
    return internal(fmt::format("the order in patch list:\n{}\n doesn't match {} list:\n{}",
                                go_sprint(patch_list), kSetElementOrderPrefix, go_sprint(order)));
  }
  return true;
}

// mergePatchIntoOriginal: merges every list that has a $setElementOrder directive
// and orders it; the list and the directive leave the patch.
PatchResult<bool> merge_patch_into_original(json& original, json& patch, const PatchMeta* schema) {
  std::vector<std::string> directives;
  for (const auto& [key, value] : patch.items()) {
    if (key.starts_with(kSetElementOrderPrefix)) directives.push_back(key);
  }
  for (const std::string& directive : directives) {
    json order = std::move(patch[directive]);
    patch.erase(directive);
    if (!order.is_array()) return err_bad_arg_type(GoType::kSlice, order);
    auto key = extract_key(directive, kSetElementOrderPrefix);
    if (!key) return util::unexpected(key.error());

    auto original_it = original.find(*key);
    auto patch_it = patch.find(*key);
    const bool found_original = original_it != original.end();
    const bool found_patch = patch_it != patch.end();
    json original_list = json::array();
    json patch_list = json::array();
    if (found_original) {
      if (!original_it->is_array()) return err_bad_arg_type(GoType::kSlice, *original_it);
      original_list = *original_it;
    }
    if (found_patch) {
      if (!patch_it->is_array()) return err_bad_arg_type(GoType::kSlice, *patch_it);
      patch_list = *patch_it;
    }
    FieldInfo field = lookup(schema, *key);
    auto valid = validate_patch_with_set_order_list(patch_list, order, field.merge_key);
    if (!valid) return valid;

    json merged;
    if (found_original && !found_patch) {
      merged = original_list;
    } else if (!found_original && found_patch) {
      merged = *remove_directives(patch_list);
    } else if (found_original && found_patch) {
      auto result = merge_slice_handler(original_list, patch_list, field, false);
      if (!result) return util::unexpected(result.error());
      merged = std::move(*result);
    } else {
      continue;
    }

    auto parts = partition(merged, order, field.merge_key);
    if (!parts) return util::unexpected(parts.error());
    auto element_type = slice_element_type(original_list, patch_list);
    if (!element_type) return util::unexpected(element_type.error());
    auto ordered = normalize_element_order(parts->first, parts->second, order, original_list,
                                           field.merge_key, *element_type == GoType::kMap);
    if (!ordered) return util::unexpected(ordered.error());
    original[*key] = std::move(*ordered);
    patch.erase(*key);
  }
  return true;
}

PatchResult<json> merge_map(json original, json patch, const PatchMeta* schema) {
  if (auto directive = patch.find(kDirectiveMarker); directive != patch.end()) {
    json value = *directive;
    return handle_directive_in_merge_map(value, std::move(patch));
  }
  if (!original.is_object()) original = json::object();

  if (auto retained = apply_retain_keys_directive(original, patch); !retained) {
    return util::unexpected(retained.error());
  }
  if (auto ordered = merge_patch_into_original(original, patch, schema); !ordered) {
    return util::unexpected(ordered.error());
  }

  for (const auto& [patch_key, patch_value] : patch.items()) {
    std::string key = patch_key;
    bool is_delete_list = false;
    if (key.starts_with(kDeleteFromPrimitiveListPrefix)) {
      auto extracted = extract_key(key, kDeleteFromPrimitiveListPrefix);
      if (!extracted) return util::unexpected(extracted.error());
      key = *extracted;
      is_delete_list = true;
    }

    if (patch_value.is_null()) {
      original.erase(key);
      continue;
    }

    auto existing = original.find(key);
    const bool both_maps =
        existing != original.end() && existing->is_object() && patch_value.is_object();
    const bool both_lists =
        existing != original.end() && existing->is_array() && patch_value.is_array();
    if (!both_maps && !both_lists) {
      // Absent from the original, of another type, or a scalar: the patch value wins.
      if (!is_delete_list) {
        json value = patch_value;
        discard_nulls(value);
        if (auto kept = remove_directives(std::move(value))) {
          original[key] = std::move(*kept);
        } else {
          original.erase(key);
        }
      }
      continue;
    }

    FieldInfo field = lookup(schema, key);
    PatchResult<json> merged =
        both_maps ? merge_map_handler(*existing, patch_value, field)
                  : merge_slice_handler(*existing, patch_value, field, is_delete_list);
    if (!merged) return merged;
    original[key] = std::move(*merged);
  }
  return original;
}

// ---------------------------------------------------------------------------
// The patch metadata of k8s.io/api (the patchStrategy/patchMergeKey tags)

PatchField merge_by(std::string key, const PatchMeta* type = nullptr) {
  return {PatchStrategy::kMerge, false, std::move(key), type};
}
PatchField merge_retain_keys_by(std::string key) {
  return {PatchStrategy::kMerge, true, std::move(key), nullptr};
}
PatchField merge_set() {
  return {PatchStrategy::kMerge, false, {}, nullptr};
}
PatchField retain_keys() {
  return {PatchStrategy::kNone, true, {}, nullptr};
}
PatchField nested(const PatchMeta& type) {
  return {PatchStrategy::kNone, false, {}, &type};
}

class Registry {
 public:
  Registry() {
    auto& object_meta =
        make("ObjectMeta").add("finalizers", merge_set()).add("ownerReferences", merge_by("uid"));
    object_meta_ = &object_meta;

    auto container_fields = [&](PatchMeta& type) -> PatchMeta& {
      return type.add("ports", merge_by("containerPort"))
          .add("env", merge_by("name"))
          .add("volumeMounts", merge_by("mountPath"))
          .add("volumeDevices", merge_by("devicePath"));
    };
    auto& container = container_fields(make("Container"));
    auto& ephemeral_container = container_fields(make("EphemeralContainer"));
    auto& pod_spec = make("PodSpec")
                         .add("volumes", merge_retain_keys_by("name"))
                         .add("initContainers", merge_by("name", &container))
                         .add("containers", merge_by("name", &container))
                         .add("ephemeralContainers", merge_by("name", &ephemeral_container))
                         .add("imagePullSecrets", merge_by("name"))
                         .add("hostAliases", merge_by("ip"))
                         .add("topologySpreadConstraints", merge_by("topologyKey"))
                         .add("resourceClaims", merge_retain_keys_by("name"))
                         .add("schedulingGates", merge_by("name"));
    auto& pod_status = make("PodStatus")
                           .add("conditions", merge_by("type"))
                           .add("podIPs", merge_by("ip"))
                           .add("hostIPs", merge_by("ip"))
                           .add("resourceClaimStatuses", merge_retain_keys_by("name"));
    auto& pod_template =
        make("PodTemplateSpec").add("metadata", nested(object_meta)).add("spec", nested(pod_spec));
    auto conditions = [&](std::string name) -> PatchMeta& {
      return make(std::move(name)).add("conditions", merge_by("type"));
    };
    auto with_template = [&](std::string name) -> PatchMeta& {
      return make(std::move(name)).add("template", nested(pod_template));
    };

    // core/v1
    kind("", "Pod", object("Pod", &pod_spec, &pod_status));
    kind("", "PodTemplate",
         object("PodTemplate", nullptr, nullptr).add("template", nested(pod_template)));
    kind("", "ReplicationController",
         object("ReplicationController", &with_template("ReplicationControllerSpec"),
                &conditions("ReplicationControllerStatus")));
    kind("", "Service",
         object("Service", &make("ServiceSpec").add("ports", merge_by("port")),
                &conditions("ServiceStatus")));
    kind("", "ServiceAccount",
         object("ServiceAccount", nullptr, nullptr).add("secrets", merge_by("name")));
    kind("", "Namespace", object("Namespace", nullptr, &conditions("NamespaceStatus")));
    kind("", "PersistentVolumeClaim",
         object("PersistentVolumeClaim", nullptr, &conditions("PersistentVolumeClaimStatus")));
    kind("", "Node",
         object("Node", &make("NodeSpec").add("podCIDRs", merge_set()),
                &conditions("NodeStatus").add("addresses", merge_by("type"))));
    // apps/v1
    kind(
        "apps", "StatefulSet",
        object("StatefulSet", &with_template("StatefulSetSpec"), &conditions("StatefulSetStatus")));
    kind("apps", "Deployment",
         object("Deployment", &with_template("DeploymentSpec").add("strategy", retain_keys()),
                &conditions("DeploymentStatus")));
    kind("apps", "DaemonSet",
         object("DaemonSet", &with_template("DaemonSetSpec"), &conditions("DaemonSetStatus")));
    kind("apps", "ReplicaSet",
         object("ReplicaSet", &with_template("ReplicaSetSpec"), &conditions("ReplicaSetStatus")));
    // batch/v1
    auto& job_spec = with_template("JobSpec");
    kind("batch", "Job", object("Job", &job_spec, &conditions("JobStatus")));
    auto& job_template =
        make("JobTemplateSpec").add("metadata", nested(object_meta)).add("spec", nested(job_spec));
    kind("batch", "CronJob",
         object("CronJob", &make("CronJobSpec").add("jobTemplate", nested(job_template)), nullptr));
    // policy/v1
    kind("policy", "PodDisruptionBudget",
         object("PodDisruptionBudget", nullptr, &conditions("PodDisruptionBudgetStatus")));
    // admissionregistration.k8s.io/v1
    for (const char* webhook_kind :
         {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}) {
      kind("admissionregistration.k8s.io", webhook_kind,
           object(webhook_kind, nullptr, nullptr).add("webhooks", merge_by("name")));
    }

    generic_ = &object("Object", nullptr, nullptr);
  }

  const PatchMeta& lookup(std::string_view group, std::string_view kind_name) const {
    auto it = kinds_.find(fmt::format("{}/{}", group, kind_name));
    return it == kinds_.end() ? *generic_ : *it->second;
  }

  const PatchMeta& lookup(std::string_view kind_name) const {
    for (const auto& [key, type] : kinds_) {
      if (std::string_view(key).substr(key.find('/') + 1) == kind_name) return *type;
    }
    return *generic_;
  }

 private:
  PatchMeta& make(std::string name) { return types_.emplace_back(std::move(name)); }

  PatchMeta& object(std::string name, const PatchMeta* spec, const PatchMeta* status) {
    PatchMeta& type = make(std::move(name)).add("metadata", nested(*object_meta_));
    if (spec != nullptr) type.add("spec", nested(*spec));
    if (status != nullptr) type.add("status", nested(*status));
    return type;
  }

  void kind(std::string_view group, std::string_view kind_name, const PatchMeta& type) {
    kinds_.emplace(fmt::format("{}/{}", group, kind_name), &type);
  }

  std::deque<PatchMeta> types_;  // a deque keeps addresses stable
  std::map<std::string, const PatchMeta*, std::less<>> kinds_;
  const PatchMeta* object_meta_ = nullptr;
  const PatchMeta* generic_ = nullptr;
};

const Registry& registry() {
  static const Registry instance;  // immutable once built
  return instance;
}

}  // namespace

const PatchMeta& builtin_patch_meta(std::string_view group, std::string_view kind) {
  return registry().lookup(group, kind);
}

const PatchMeta& builtin_patch_meta(std::string_view kind) {
  return registry().lookup(kind);
}

bool strategic_merge_supported(std::string_view group) {
  static const std::set<std::string, std::less<>> kBuiltinGroups = {
      "",
      "admissionregistration.k8s.io",
      "apiextensions.k8s.io",
      "apiregistration.k8s.io",
      "apps",
      "authentication.k8s.io",
      "authorization.k8s.io",
      "autoscaling",
      "batch",
      "certificates.k8s.io",
      "coordination.k8s.io",
      "discovery.k8s.io",
      "events.k8s.io",
      "flowcontrol.apiserver.k8s.io",
      "internal.apiserver.k8s.io",
      "networking.k8s.io",
      "node.k8s.io",
      "policy",
      "rbac.authorization.k8s.io",
      "resource.k8s.io",
      "scheduling.k8s.io",
      "storage.k8s.io",
      "storagemigration.k8s.io",
  };
  return kBuiltinGroups.contains(group);
}

util::Expected<json, PatchError> apply_strategic_merge_patch(const json& target, const json& patch,
                                                             const PatchMeta& meta) {
  if (patch.is_null()) return target;
  if (!patch.is_object()) {
    std::string type = patch.is_array()     ? "array"
                       : patch.is_string()  ? "string"
                       : patch.is_boolean() ? "bool"
                                            : "number";
    return bad_request(fmt::format(
        "json: cannot unmarshal {} into Go value of type map[string]interface {{}}", type));
  }
  return merge_map(target, patch, &meta);
}

util::Expected<json, PatchError> apply_strategic_merge_patch(const json& target, const json& patch,
                                                             std::string_view kind) {
  return apply_strategic_merge_patch(target, patch, builtin_patch_meta(kind));
}

}  // namespace druid::testing
