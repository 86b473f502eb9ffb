#pragma once
// The PodDisruptionBudget `<etcd>` (upstream's
// internal/component/poddistruptionbudget/poddisruptionbudget.go):
// voluntary evictions may never take the cluster below quorum.

#include <cstdint>
#include <nlohmann/json.hpp>

#include "api/etcd.hpp"

namespace druid::component {

// 0 for a single member (it could never be evicted otherwise), else a quorum
// (replicas/2 + 1).
std::int32_t pod_disruption_budget_min_available(const api::Etcd& etcd);

// The complete desired PodDisruptionBudget. Its selector is the default labels
// without the pods of the compaction and copy-backups Jobs (which carry them
// too): only members count. `spec.unhealthyPodEvictionPolicy`
// is AlwaysAllow with the allow-unhealthy-pod-eviction annotation and null
// (must be absent) without it, so removing the annotation removes the field.
nlohmann::json build_pod_disruption_budget(const api::Etcd& etcd);

}  // namespace druid::component
