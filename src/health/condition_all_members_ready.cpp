#include "health/condition_all_members_ready.hpp"

#include <algorithm>

namespace druid::health {

CheckResult check_all_members_ready(const std::vector<api::EtcdMemberStatus>& members,
                                    std::int32_t replicas) {
  if (members.empty()) {
    return {api::condition::kAllMembersReady, api::kConditionUnknown, "NoMembersInStatus",
            "Cannot determine readiness since status has no members"};
  }
  const bool all_joined = static_cast<std::int64_t>(members.size()) >= replicas;
  const bool all_ready = std::all_of(members.begin(), members.end(), [](const auto& m) {
    return m.status == api::member::kStatusReady;
  });
  if (all_joined && all_ready) {
    return {api::condition::kAllMembersReady, api::kConditionTrue, "AllMembersReady",
            "All members are ready"};
  }
  return {api::condition::kAllMembersReady, api::kConditionFalse, "NotAllMembersReady",
          "At least one member is not ready"};
}

}  // namespace druid::health
