#pragma once
// Condition `AllMembersReady` (upstream's
// internal/health/condition/check_all_members_ready.go): every expected member has
// joined (is listed in status) and is Ready.

#include <cstdint>
#include <vector>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"

namespace druid::health {

CheckResult check_all_members_ready(const std::vector<api::EtcdMemberStatus>& members,
                                    std::int32_t replicas);

}  // namespace druid::health
