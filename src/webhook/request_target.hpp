#pragma once
// Step 2 of the component-protection decision (upstream's
// internal/webhook/etcdcomponentprotection/handler.go): which
// object's metadata decides a request. Most kinds are judged by the object
// itself (oldObject for DELETE); a StatefulSet's scale subresource by the
// StatefulSet; a PVC by the one StatefulSet whose labels include all of the
// PVC's. Kinds druid does not protect have no target.

#include <optional>
#include <string>

#include "api/label_selector.hpp"
#include "util/expected.hpp"
#include "webhook/admission_review.hpp"
#include "webhook/component_lookup.hpp"

namespace druid::webhook {

// Error codes of the failures (upstream's DruidError codes).
inline constexpr const char* kErrDecodeRequestObject = "ERR_DECODE_REQUEST_OBJECT";
// Upstream uses this one for every StatefulSet lookup failure, PVCs included.
inline constexpr const char* kErrGetStatefulSet = "ERR_GET_SCALE_SUBRESOURCE_PARENT";
inline constexpr const char* kErrTooManyMatchingStatefulSets = "ERR_TOO_MANY_MATCHING_STATEFULSETS";

// The parts of metav1.PartialObjectMetadata the decision reads.
struct TargetMeta {
  std::string name;
  std::string namespace_;
  util::Labels labels;
  bool being_deleted = false;  // metadata.deletionTimestamp is set
  friend bool operator==(const TargetMeta&, const TargetMeta&) = default;
};

struct TargetError {
  int code = 500;  // 400 when the request's object does not decode
  std::string message;
};

// nullopt: the kind is not protected by the webhook.
using Target = util::Expected<std::optional<TargetMeta>, TargetError>;

Target resolve_target(const AdmissionRequest& request, ComponentLookup& lookup);

// "Kind.group", or "Kind" for the core group (Go's schema.GroupKind).
std::string group_kind_string(const GroupVersionKind& kind);
// "namespace/name" (Go's client.ObjectKey).
std::string object_key(const TargetMeta& meta);
// Go's `%v` of a map[string]string: "map[a:1 b:2]".
std::string go_map_string(const util::Labels& labels);

}  // namespace druid::webhook
