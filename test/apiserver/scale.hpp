#pragma once
// The scale subresource: an autoscaling/v1 Scale read from, and written back to,
// an object through the type's replica and selector paths (built-in workloads,
// and CRDs with subresources.scale).

#include <nlohmann/json.hpp>
#include <string>

#include "apiserver/resource_registry.hpp"
#include "apiserver/status.hpp"
#include "util/expected.hpp"

namespace druid::testing {

// The Scale of `object` (type.scale must be set).
nlohmann::json scale_of(const ResourceType& type, const nlohmann::json& object);

// `object` with spec replicas from `scale`; 422 for a negative or non-integer
// count, 400 for a body that is not a Scale of this object.
util::Expected<nlohmann::json, StatusError> apply_scale(const ResourceType& type,
                                                        const nlohmann::json& object,
                                                        const nlohmann::json& scale);

// "a=b,c in (x,y)" from a metav1.LabelSelector object (matchLabels and
// matchExpressions), the form Scale.status.selector carries.
std::string label_selector_string(const nlohmann::json& selector);

}  // namespace druid::testing
