#pragma once
// Condition `Ready` (upstream's internal/health/condition/check_ready.go): the cluster is quorate
// when a majority of the members in status is not NotReady. A member whose lease just expired
// (Unknown) still counts: its etcd may well be serving, and declaring quorum lost on a late
// heartbeat would be a false alarm.

#include <vector>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"

namespace druid::health {

CheckResult check_ready(const std::vector<api::EtcdMemberStatus>& members);

}  // namespace druid::health
