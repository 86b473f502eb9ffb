#pragma once
// The client Service `<etcd>-client` (upstream's
// internal/component/clientservice/clientservice.go):
// what etcd clients connect to; it also exposes the peer port (to be removed
// upstream) and backup-restore's port.

#include <nlohmann/json.hpp>

#include "api/etcd.hpp"

namespace druid::component {

// The complete desired Service. Labels and annotations from
// spec.etcd.clientService are applied (its labels win over druid's);
// `spec.trafficDistribution` is null (must be absent) when the Etcd sets none,
// so unsetting it removes the field. Annotations are omitted when there are
// none; the sync owns the annotation map, so stale keys are removed anyway.
nlohmann::json build_client_service(const api::Etcd& etcd);

}  // namespace druid::component
