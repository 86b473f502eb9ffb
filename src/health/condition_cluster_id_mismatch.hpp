#pragma once
// Condition `ClusterIDMismatch` (upstream's
// internal/health/condition/check_cluster_id_mismatch.go): members whose sidecars
// report different etcd cluster IDs have split into separate clusters (for
// instance a member that bootstrapped a new cluster from an empty volume). The
// cluster ID is the middle token of the member lease's holder identity; the
// legacy two-token form carries none. Members with status Unknown are left out:
// their lease is stale, so the ID in it may be too.

#include <optional>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"
#include "health/member_status.hpp"

namespace druid::health {

// `members`: the freshly computed status.members. `leases_read_error`: reading
// the member leases failed (reported for the first expected lease).
CheckResult check_cluster_id_mismatch(const api::Etcd& etcd,
                                      const std::vector<api::EtcdMemberStatus>& members,
                                      const std::vector<ObjectPtr>& member_leases,
                                      const std::optional<std::string>& leases_read_error);

}  // namespace druid::health
