#pragma once
// Kubernetes strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch,
// StrategicMergeMapPatch as the API server runs it) for the built-in types the
// operator and kubectl touch. Pure functions: no I/O.
//
// Lists merge by the patchMergeKey of their field (containers by name, ports by
// containerPort, conditions by type, ...), lists of primitives with
// patchStrategy=merge (finalizers) are unions, other lists are replaced. The
// directives are Kubernetes':
//   {"$patch": "replace"}  in a map: the map becomes the patch; in a list: the list
//                          becomes the other items of the patch list.
//   {"$patch": "delete"}   in a map: the map becomes {}; in a list item: the items
//                          with that merge key are removed.
//   "$retainKeys": [...]   keys of the map not listed are dropped.
//   "$deleteFromPrimitiveList/<field>": [...]  values removed from a primitive list.
//   "$setElementOrder/<field>": [...]          the order of the merged list.
// As on a real server, `{"$patch": "merge"}` is refused (a map: "unknown patch
// type: merge in map: ..."; a list: "merging lists cannot yet be specified in the
// patch"). Items new to a list are appended after merging and the result is
// ordered as Kubernetes orders it: $setElementOrder, then the patch's order, then
// the live order (so an item added without $setElementOrder comes first).
// Null values left in the result are dropped, as decoding into the Go type does.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "apiserver/json_patch.hpp"
#include "util/expected.hpp"

namespace druid::testing {

enum class PatchStrategy { kNone, kMerge, kReplace };

class PatchMeta;

// The patch tags of one field of a Go type (`patchStrategy`, `patchMergeKey`) and
// the metadata of its value (of its items, for a list); `type` null: none known.
struct PatchField {
  PatchStrategy strategy = PatchStrategy::kNone;
  bool retain_keys = false;  // patchStrategy "retainKeys" (only used to create patches)
  std::string merge_key;
  const PatchMeta* type = nullptr;
};

// The patch metadata of one Go type of k8s.io/api, by JSON field name. Fields
// not described have no strategy (maps merge, lists are replaced).
class PatchMeta {
 public:
  explicit PatchMeta(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const PatchField* field(std::string_view json_name) const;

  PatchMeta& add(std::string json_name, PatchField field);

 private:
  std::string name_;  // the Go type, for messages
  std::map<std::string, PatchField, std::less<>> fields_;
};

// The metadata of a built-in kind, e.g. ("apps", "StatefulSet") or ("", "Pod").
// Kinds without list strategies (ConfigMap, Role, ...) get the generic object
// metadata (metadata.finalizers, metadata.ownerReferences). The returned
// reference stays valid for the life of the program.
const PatchMeta& builtin_patch_meta(std::string_view group, std::string_view kind);

// The same by kind alone (the kinds with list strategies are unique across the
// built-in groups).
const PatchMeta& builtin_patch_meta(std::string_view kind);

// Whether the API server accepts application/strategic-merge-patch+json for a
// group: only built-in groups do; custom resources answer 415.
bool strategic_merge_supported(std::string_view group);

// Applies `patch` to `target`. A patch that is not a JSON object is kBadRequest;
// malformed directives are kBadRequest (e.g. "invalid patch format of retainKeys"),
// lists of lists kUnprocessable, and the failures the server does not classify
// (e.g. "map: map[$patch:delete] does not contain declared merge key: name",
// "unknown patch type: merge in map: ...") kInternal — as the API server answers.
util::Expected<nlohmann::json, PatchError> apply_strategic_merge_patch(const nlohmann::json& target,
                                                                       const nlohmann::json& patch,
                                                                       const PatchMeta& meta);

// The same with the metadata of a built-in kind: builtin_patch_meta(kind).
util::Expected<nlohmann::json, PatchError> apply_strategic_merge_patch(const nlohmann::json& target,
                                                                       const nlohmann::json& patch,
                                                                       std::string_view kind);

}  // namespace druid::testing
