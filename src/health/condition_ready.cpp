#include "health/condition_ready.hpp"

#include <algorithm>

namespace druid::health {

CheckResult check_ready(const std::vector<api::EtcdMemberStatus>& members) {
  if (members.empty()) {
    return {api::condition::kReady, api::kConditionUnknown, "NoMembersInStatus",
            "Cannot determine readiness since status has no members"};
  }
  const auto size = static_cast<std::ptrdiff_t>(members.size());
  const std::ptrdiff_t quorum = size / 2 + 1;
  const std::ptrdiff_t ready = std::count_if(members.begin(), members.end(), [](const auto& m) {
    return m.status != api::member::kStatusNotReady;
  });
  if (ready < quorum) {
    return {api::condition::kReady, api::kConditionFalse, "QuorumLost",
            "The majority of ETCD members is not ready"};
  }
  return {api::condition::kReady, api::kConditionTrue, "Quorate",
          "The majority of ETCD members is ready"};
}

}  // namespace druid::health
