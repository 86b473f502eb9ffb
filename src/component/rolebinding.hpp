#pragma once
// The RoleBinding `druid.gardener.cloud:etcd:<etcd>` (upstream's
// internal/component/rolebinding/rolebinding.go): grants the Role to the ServiceAccount `<etcd>`.

#include <nlohmann/json.hpp>

#include "api/etcd.hpp"

namespace druid::component {

nlohmann::json build_role_binding(const api::Etcd& etcd);

}  // namespace druid::component
