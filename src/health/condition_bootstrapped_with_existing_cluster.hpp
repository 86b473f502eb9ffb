#pragma once
// Condition `BootstrappedWithExistingCluster` (upstream's
// internal/health/condition/check_bootstrap_with_existing_cluster.go and
// internal/controller/etcd/reconcile_status.go): only
// for an Etcd created to join an existing cluster
// (spec.etcd.bootstrapWithExistingCluster). False while members are still
// joining; True once every expected member is Ready. Once the join has been
// recorded in status.bootstrapWithExistingCluster it stays True for good: later
// member outages are not a failed bootstrap.

#include <optional>
#include <vector>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"

namespace druid::health {

// `etcd.status` is the previous status (for the recorded join); `members` the
// freshly computed members. nullopt: the condition does not apply.
std::optional<CheckResult> check_bootstrapped_with_existing_cluster(
    const api::Etcd& etcd, const std::vector<api::EtcdMemberStatus>& members);

}  // namespace druid::health
