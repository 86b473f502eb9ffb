#pragma once
// JSON patch (RFC 6902) as a Kubernetes API server applies it (k8s.io/apiserver
// patcher, which uses gopkg.in/evanphx/json-patch.v4), and the errors a server
// answers for patches that do not apply. Pure functions: no I/O. Merge patches
// are the product's (src/kube/patch.hpp); strategic merge is strategic_merge.hpp.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "util/expected.hpp"

namespace druid::testing {

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

// RFC 6902 with evanphx/json-patch v4 semantics, as the API server runs it:
// add/remove/replace/move/copy/test, JSON-pointer escapes (~0 ~1), "-" to append,
// negative array indices counted from the end. The messages are the library's,
// e.g. `testing value /metadata/labels/a failed: test failed` or
// `remove operation does not apply: doc is missing path: "/spec/x/y": missing value`.
// A patch that is not an array of objects is kBadRequest; a failing operation is
// kUnprocessable; too many operations kTooLarge.
util::Expected<nlohmann::json, PatchError> apply_json_patch(const nlohmann::json& target,
                                                            const nlohmann::json& patch);

}  // namespace druid::testing
