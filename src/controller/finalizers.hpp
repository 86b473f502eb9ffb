#pragma once
// Adding and removing a controller's finalizer. Finalizers are a list, which a
// JSON merge patch replaces whole, so the patch carries the resourceVersion it
// was computed from: a finalizer another writer added meanwhile is never lost,
// the write conflicts and is retried instead.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/object_meta.hpp"

namespace druid::controller {

// {"metadata": {"finalizers": [...], "resourceVersion": ...}}: `meta`'s
// finalizers in their order, with `finalizer` appended (`present`) or removed.
nlohmann::json finalizer_patch(const api::ObjectMeta& meta, std::string_view finalizer,
                               bool present);

// The finalizers the patch leaves, for callers that keep their copy current.
std::vector<std::string> finalizers_after(const api::ObjectMeta& meta, std::string_view finalizer,
                                          bool present);

}  // namespace druid::controller
