#pragma once
// Condition `AllMembersUpdated` (upstream's
// internal/health/condition/check_all_members_updated.go): the StatefulSet has rolled
// the latest pod template out to every replica.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"
#include "health/member_status.hpp"

namespace druid::health {

// `controlled_sts`: the StatefulSet controlled by the Etcd, or null.
// `read_error`: reading the StatefulSet failed (then `controlled_sts` is ignored).
// `pods`: the Etcd's pods for the OnDelete pod-level check (null: unknown, so
// an OnDelete StatefulSet does not count as updated).
CheckResult check_all_members_updated(const api::Etcd& etcd, const nlohmann::json* controlled_sts,
                                      const std::optional<std::string>& read_error,
                                      const std::vector<ObjectPtr>* pods = nullptr);

}  // namespace druid::health
