#pragma once
// An object as tests compare it across runs or processes: without the fields
// the API server assigns and, where asked, without those a clock or a run's id
// decides, so that two runs that did the same thing leave equal objects.

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace druid::test {

// Which fields strip_volatile removes.
enum class VolatileFields {
  // Only in metadata: uid, resourceVersion, creationTimestamp, managedFields,
  // and the uid of each ownerReference. Nothing outside metadata is touched.
  kServerAssignedMetadata,
  // At any depth (metadata, spec, status, list elements): the fields above
  // and those a clock or a run's id decides (lastUpdateTime,
  // lastTransitionTime, lastProbeTime, startedAt, runID, observedAt). A
  // deletionTimestamp becomes "set": that an object is being deleted still
  // counts, when it was does not.
  kServerAndClockAnywhere,
};

struct StripOptions {
  VolatileFields fields = VolatileFields::kServerAndClockAnywhere;
  // false: the whole status goes, for tests that compare only what the
  // operator writes outside status.
  bool keep_status = true;
};

namespace object_state_detail {

inline const std::set<std::string>& server_assigned_metadata() {
  static const std::set<std::string> kFields = {"uid", "resourceVersion", "creationTimestamp",
                                                "managedFields"};
  return kFields;
}

inline void strip_anywhere(nlohmann::json& value) {
  static const std::set<std::string> kVolatile = {
      "uid",           "resourceVersion", "creationTimestamp",
      "managedFields", "lastUpdateTime",  "lastTransitionTime",
      "lastProbeTime", "startedAt",       "runID",
      "observedAt"};
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (kVolatile.contains(it.key())) {
        it = value.erase(it);
      } else {
        if (it.key() == "deletionTimestamp") it.value() = "set";
        strip_anywhere(it.value());
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& element : value) strip_anywhere(element);
  }
}

inline void strip_metadata(nlohmann::json& object) {
  if (!object.is_object() || !object.contains("metadata")) return;
  nlohmann::json& meta = object["metadata"];
  if (!meta.is_object()) return;
  for (const auto& key : server_assigned_metadata()) meta.erase(key);
  if (meta.contains("ownerReferences") && meta["ownerReferences"].is_array()) {
    for (auto& ref : meta["ownerReferences"]) {
      if (ref.is_object()) ref.erase("uid");
    }
  }
}

}  // namespace object_state_detail

// Removes from `object` (as the API server returns it) the fields `options`
// names, in place.
inline void strip_volatile(nlohmann::json& object, const StripOptions& options = {}) {
  if (!options.keep_status && object.is_object()) object.erase("status");
  switch (options.fields) {
    case VolatileFields::kServerAssignedMetadata:
      object_state_detail::strip_metadata(object);
      break;
    case VolatileFields::kServerAndClockAnywhere:
      object_state_detail::strip_anywhere(object);
      break;
  }
}

}  // namespace druid::test
