#pragma once
// The ServiceAccount `<etcd>` the etcd pods run as (upstream's
// internal/component/serviceaccount/serviceaccount.go); backup-restore uses its token to renew
// leases.

#include <nlohmann/json.hpp>

#include "api/etcd.hpp"
#include "component/context.hpp"

namespace druid::component {

// The complete desired ServiceAccount; the token is mounted unless the
// operator disables it (controllers.etcd.disableEtcdServiceAccountAutomount).
nlohmann::json build_service_account(const api::Etcd& etcd, const OperatorSettings& settings);

}  // namespace druid::component
