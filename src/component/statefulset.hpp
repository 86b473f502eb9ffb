#pragma once
// The StatefulSet component (upstream's internal/component/statefulset/statefulset.go): the
// pre-sync snapshot,
// and a sync that, beyond create-or-patch, recreates a StatefulSet that was
// orphan-deleted (adopting its pods), rolls out TLS changes only when that is
// safe, and replaces a StatefulSet whose immutable selector is outdated. The
// desired object itself comes from build_statefulset (statefulset_builder.hpp);
// make_statefulset_component() is declared in registry.hpp.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "component/create_or_patch.hpp"

namespace druid::component {

// The maps of the StatefulSet druid owns entirely: its labels and the pod
// template's labels and annotations (a key dropped from spec.labels or
// spec.annotations disappears from the pods too).
CreateOrPatchOptions statefulset_patch_options();

// `desired` without the fields a TLS-only patch must leave as they are:
// selector, serviceName, volumeClaimTemplates and podManagementPolicy are
// immutable, and updateStrategy is not part of a TLS change.
nlohmann::json without_forbidden_fields(nlohmann::json desired);

// True when spec.selector.matchLabels of the StatefulSet is exactly the
// Etcd's default labels.
bool has_default_selector(const api::Etcd& etcd, const nlohmann::json& statefulset);

// The member leases of the Etcd among `leases` (controlled by it, named
// `<member>-<i>` for i < spec.replicas), in ordinal order.
std::vector<const nlohmann::json*> member_leases_in_order(
    const api::Etcd& etcd, const std::vector<const nlohmann::json*>& leases);

}  // namespace druid::component
