#pragma once
// JSON merge patch (RFC 7386) and JSON patch (RFC 6902) on JSON values, as a
// Kubernetes API server applies them (k8s.io/apiserver patcher, which uses
// gopkg.in/evanphx/json-patch.v4). Pure functions: no I/O.
//
// The operator's create-or-patch sends `create_merge_patch(cached, desired)` and
// sends nothing when it is `{}`; the test API server applies patches with
// `apply_merge_patch` / `apply_json_patch`.

#include <nlohmann/json.hpp>
#include <string>

#include "api/expected.hpp"

namespace druid::kube {

// How a real API server answers a patch that cannot be applied.
enum class PatchErrorKind {
  // 400 BadRequest, the message as the Status message: the patch document itself
  // is malformed (not a list of operations, a bad strategic-merge directive).
  kBadRequest,
  // 422: the patch does not apply to the object (a failed `test`, a missing
  // path). The server answers metav1.Status{reason: Invalid, message: "the server
  // rejected our request due to an error in our request"} with this message as a
  // cause of type UnexpectedServerResponse (apimachinery NewGenericServerResponse).
  kUnprocessable,
  // 413 RequestEntityTooLarge: more than 10000 JSON patch operations.
  kTooLarge,
  // 500 with reason "" (Unknown) and this message: strategic merge failures the
  // server does not classify, e.g. a list item without its merge key.
  kInternal,
};

struct PatchError {
  PatchErrorKind kind = PatchErrorKind::kUnprocessable;
  std::string message;  // the text a real server puts in the Status (or its cause)
  friend bool operator==(const PatchError&, const PatchError&) = default;
};

// The API server's limit on the operations of one JSON patch.
inline constexpr std::size_t kMaxJsonPatchOperations = 10000;

// RFC 7386: objects merge recursively, null deletes a key, everything else
// (arrays included) replaces. A patch that is not an object replaces the target.
nlohmann::json apply_merge_patch(const nlohmann::json& target, const nlohmann::json& patch);

// The minimal RFC 7386 patch that turns `original` into `modified`: `{}` when they
// are equal, null for removed keys, arrays (and any value whose type changed)
// replaced whole. apply_merge_patch(original, result) == modified as long as
// `modified` holds no null values inside objects (a merge patch cannot set null).
nlohmann::json create_merge_patch(const nlohmann::json& original, const nlohmann::json& modified);

// RFC 6902 with evanphx/json-patch v4 semantics, as the API server runs it:
// add/remove/replace/move/copy/test, JSON-pointer escapes (~0 ~1), "-" to append,
// negative array indices counted from the end. The messages are the library's,
// e.g. `testing value /metadata/labels/a failed: test failed` or
// `remove operation does not apply: doc is missing path: "/spec/x/y": missing value`.
// A patch that is not an array of objects is kBadRequest; a failing operation is
// kUnprocessable; too many operations kTooLarge.
api::Expected<nlohmann::json, PatchError> apply_json_patch(const nlohmann::json& target,
                                                           const nlohmann::json& patch);

}  // namespace druid::kube
