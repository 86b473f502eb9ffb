#pragma once
// The ObjectMeta rules every Kubernetes API server (v1.32) applies to every
// object, built-in or custom, on create and update: label keys and values and
// annotation keys and their total size (apimachinery's ValidateObjectMeta /
// ValidateObjectMetaUpdate), with the server's exact messages, e.g.
//   metadata.labels: Invalid value: "inv@lid": a valid label must be an empty string or ...
// They live in the values layer so that anything building objects can check
// them before sending; the test API server answers 422 with them.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.hpp"
#include "api/field_path.hpp"

namespace druid::api::validation {

// TotalAnnotationSizeLimitB: the bytes of all annotation keys and values together.
inline constexpr std::size_t kTotalAnnotationSizeLimit = 256 * 1024;

// metav1validation.ValidateLabels on a `metadata.labels` JSON object: per key
// (in sorted order; Go's map order is random) the key's errors, then the
// value's, all at `path` with the key or value as the bad value. Non-objects
// and non-string values are left to the decoder and yield nothing here.
FieldErrors validate_labels(const nlohmann::json& labels, const FieldPath& path);

// ValidateAnnotations on a `metadata.annotations` JSON object: every key must
// be a qualified name once lowercased (case does not matter for annotations),
// then "Too long: may not be more than 262144 bytes" when keys and values
// exceed kTotalAnnotationSizeLimit.
FieldErrors validate_annotations(const nlohmann::json& annotations, const FieldPath& path);

}  // namespace druid::api::validation
