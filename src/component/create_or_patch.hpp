#pragma once
// Create-or-patch without churn. A component describes the fields it manages
// as a desired object; a field set to null must be absent. The current object
// satisfies the desired one when every desired field has the same value in it
// (lists element by element), whatever else the server added (defaults,
// status). Only then is nothing sent; otherwise one JSON merge patch with the
// difference. Maps druid owns entirely (labels, by default) also lose the keys
// the desired object does not have.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "component/context.hpp"
#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "kube/client.hpp"

namespace druid::component {

enum class PatchAction { kNone, kCreated, kPatched };

struct PatchOutcome {
  PatchAction action = PatchAction::kNone;
  nlohmann::json object;  // the object after the call (the current one for kNone)
};

struct CreateOrPatchOptions {
  // JSON pointers of maps whose keys druid owns entirely.
  std::vector<std::string> owned_maps{"/metadata/labels"};
};

// True when every field of `desired` has the same value in `current`: objects
// recursively, lists element by element with equal length, null meaning
// absent, and resource quantities (under `requests`, `limits`) compared by
// value, since the API server rewrites them in canonical form ("1024Mi" is
// stored as "1Gi").
bool is_satisfied_by(const nlohmann::json& desired, const nlohmann::json& current);

// The merge patch taking `current` to the desired state (an empty object when
// `current` already satisfies it).
nlohmann::json desired_state_patch(const nlohmann::json& current, const nlohmann::json& desired,
                                   const CreateOrPatchOptions& options = {});

// Reads the object named in desired.metadata through `reader`; creates it when
// absent (a create that meets AlreadyExists, because the reader was stale,
// falls back to a live GET and a patch), patches it when it differs, and sends
// nothing when it is already in the desired state.
kube::ApiResult<PatchOutcome> create_or_patch(ObjectWriter& writer, ObjectReader& reader,
                                              const util::ResourceType& type,
                                              const nlohmann::json& desired,
                                              const CreateOrPatchOptions& options = {});

// The same through a component Context; counts the write in ctx.writes.
kube::ApiResult<PatchOutcome> create_or_patch(Context& ctx, const util::ResourceType& type,
                                              const nlohmann::json& desired,
                                              const CreateOrPatchOptions& options = {});

// `desired` without null members (what a create sends).
nlohmann::json without_nulls(const nlohmann::json& desired);

}  // namespace druid::component
