#pragma once
// The Role `druid.gardener.cloud:etcd:<etcd>` (upstream's internal/component/role/role.go): what
// backup-restore in the etcd pods may read and write in the namespace.

#include <nlohmann/json.hpp>

#include "api/etcd.hpp"

namespace druid::component {

// The complete desired Role: leases and statefulsets (get, list, patch,
// update, watch) and pods (get, list, watch).
nlohmann::json build_role(const api::Etcd& etcd);

}  // namespace druid::component
