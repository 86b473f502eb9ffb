#pragma once
// Snapshot leases (upstream's internal/component/snapshotlease/snapshotlease.go):
// `<etcd>-delta-snap` and `<etcd>-full-snap`
// exist only while the Etcd has a backup store. backup-restore renews them
// (spec.holderIdentity = last snapshot revision, spec.renewTime), so druid
// manages their metadata only, exactly as for member leases.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/etcd.hpp"

namespace druid::component {

// `<etcd>-delta-snap`, `<etcd>-full-snap` (the order upstream syncs them in).
std::vector<std::string> snapshot_lease_names(const api::Etcd& etcd);

// The Lease `lease_name` in the Etcd's namespace with the snapshot-lease
// labels and the Etcd's controller reference; metadata only.
nlohmann::json build_snapshot_lease(const api::Etcd& etcd, std::string_view lease_name);

}  // namespace druid::component
