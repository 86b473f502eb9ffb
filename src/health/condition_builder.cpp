#include "health/condition_builder.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "api/etcd.hpp"

namespace druid::health {
namespace {

api::Condition merge(const api::Condition* old, const CheckResult& result, std::int32_t replicas,
                     const std::string& now) {
  api::Condition condition;
  if (old != nullptr) condition = *old;
  condition.type = result.type;
  std::string status = result.status;
  if (replicas == 0) {
    // A hibernated cluster has no members to check: keep what was last known.
    status = old != nullptr && !old->status.empty() ? old->status : api::kConditionUnknown;
    condition.reason = kNotCheckedReason;
    condition.message = kScaledDownMessage;
  } else {
    condition.reason = result.reason;
    condition.message = result.message;
  }
  // Upstream compares with the computed status even at 0 replicas, moving the
  // transition time without a transition; ours moves only on a real change.
  if (old == nullptr || old->status != status || condition.last_transition_time.empty()) {
    condition.last_transition_time = now;
  }
  condition.status = status;
  condition.last_update_time = now;
  return condition;
}

}  // namespace

bool is_managed_condition_type(std::string_view type) {
  static constexpr std::array<std::string_view, 7> kManaged = {
      api::condition::kReady,
      api::condition::kAllMembersReady,
      api::condition::kAllMembersUpdated,
      api::condition::kBackupReady,
      api::condition::kDataVolumesReady,
      api::condition::kClusterIdMismatch,
      api::condition::kBootstrappedWithExistingCluster,
  };
  return std::find(kManaged.begin(), kManaged.end(), type) != kManaged.end();
}

std::vector<api::Condition> build_conditions(const std::vector<api::Condition>& previous,
                                             const std::vector<CheckResult>& results,
                                             std::int32_t replicas, util::Time now) {
  // One condition per type; a later duplicate wins, as in a map keyed by type.
  std::map<std::string, const api::Condition*> old_by_type;
  for (const auto& condition : previous) old_by_type[condition.type] = &condition;

  const std::string now_text = util::format_rfc3339(now);
  std::map<std::string, api::Condition> merged;
  for (const auto& result : results) {
    const auto old = old_by_type.find(result.type);
    merged[result.type] =
        merge(old == old_by_type.end() ? nullptr : old->second, result, replicas, now_text);
  }
  for (const auto& [type, condition] : old_by_type) {
    if (merged.contains(type) || is_managed_condition_type(type)) continue;
    merged[type] = *condition;
  }

  std::vector<api::Condition> conditions;
  conditions.reserve(merged.size());
  for (auto& [type, condition] : merged) conditions.push_back(std::move(condition));
  return conditions;  // std::map iterates in type order
}

}  // namespace druid::health
