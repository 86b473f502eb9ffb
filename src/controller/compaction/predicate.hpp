#pragma once
// Which events start a compaction cycle (upstream's internal/controller/compaction/register.go).
// Etcd events never do: the snapshot leases say when revisions accumulate and
// the Job says when it finished. Both map to the controlling Etcd.

#include <nlohmann/json.hpp>

#include "kube/controller.hpp"

namespace druid::controller::compaction {

// A Lease named `*full-snap` or `*delta-snap`: created, or its
// spec.holderIdentity (the snapshot revision) changed.
kube::Predicate snapshot_lease_predicate();

// An update of a Job named `<etcd>-compactor` that an Etcd owns, once nothing
// of it is active any more and one of its status counts (active, succeeded,
// failed, terminating, ready) or its True conditions changed: the job
// finished (the conditions are beyond upstream, which misses a Complete
// condition set after the counts).
kube::Predicate compaction_job_predicate();

}  // namespace druid::controller::compaction
