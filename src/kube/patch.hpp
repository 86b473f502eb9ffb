#pragma once
// JSON merge patch (RFC 7386) on JSON values, as a Kubernetes API server
// applies it (k8s.io/apiserver patcher, gopkg.in/evanphx/json-patch.v4).
// Pure functions: no I/O.
//
// The operator's create-or-patch sends `create_merge_patch(cached, desired)` and
// sends nothing when it is `{}`; the test API server applies patches with
// `apply_merge_patch` (RFC 6902 JSON patches: test/apiserver/json_patch.hpp).

#include <nlohmann/json.hpp>

namespace druid::kube {

// RFC 7386: objects merge recursively, null deletes a key, everything else
// (arrays included) replaces. A patch that is not an object replaces the target.
nlohmann::json apply_merge_patch(const nlohmann::json& target, const nlohmann::json& patch);

// The minimal RFC 7386 patch that turns `original` into `modified`: `{}` when they
// are equal, null for removed keys, arrays (and any value whose type changed)
// replaced whole. apply_merge_patch(original, result) == modified as long as
// `modified` holds no null values inside objects (a merge patch cannot set null).
nlohmann::json create_merge_patch(const nlohmann::json& original, const nlohmann::json& modified);

}  // namespace druid::kube
