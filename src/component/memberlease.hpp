#pragma once
// Member leases (upstream's internal/component/memberlease/memberlease.go): one
// coordination.k8s.io/v1 Lease per etcd
// member, named like the member. druid only creates them and keeps their
// metadata (labels, owner reference); backup-restore renews them, writing
// spec.holderIdentity, spec.renewTime and the tls-enabled annotation, so the
// desired object has no spec and no annotations.

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/etcd.hpp"

namespace druid::component {

// The Lease `lease_name` in the Etcd's namespace with the member-lease labels
// and the Etcd's controller reference; metadata only.
nlohmann::json build_member_lease(const api::Etcd& etcd, std::string_view lease_name);

}  // namespace druid::component
