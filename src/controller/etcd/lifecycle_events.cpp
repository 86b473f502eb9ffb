#include "controller/etcd/lifecycle_events.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>

namespace druid::controller::etcd {
namespace {

// A condition whose change of health is worth an Event.
struct WatchedCondition {
  const char* type;
  const char* healthy_status;  // ClusterIDMismatch is healthy when False
  const char* broken_reason;
  kube::EventType broken_type;
  const char* healthy_reason;
};

constexpr std::array<WatchedCondition, 5> kWatched = {{
    {api::condition::kReady, api::kConditionTrue, event_reason::kClusterNotReady,
     kube::EventType::kWarning, event_reason::kClusterReady},
    {api::condition::kAllMembersReady, api::kConditionTrue, event_reason::kMemberNotReady,
     kube::EventType::kWarning, event_reason::kMembersReady},
    {api::condition::kBackupReady, api::kConditionTrue, event_reason::kBackupStale,
     kube::EventType::kWarning, event_reason::kBackupReady},
    {api::condition::kDataVolumesReady, api::kConditionTrue, event_reason::kDataVolumesNotReady,
     kube::EventType::kWarning, event_reason::kDataVolumesReady},
    {api::condition::kClusterIdMismatch, api::kConditionFalse, event_reason::kClusterIdMismatch,
     kube::EventType::kWarning, event_reason::kClusterIdMismatchResolved},
}};

// "AllMembersReady is False (NotAllMembersReady): <message>".
std::string describe(const api::Condition& condition) {
  std::string text = fmt::format("{} is {}", condition.type, condition.status);
  if (!condition.reason.empty()) text += fmt::format(" ({})", condition.reason);
  if (!condition.message.empty()) text += ": " + condition.message;
  return text;
}

// "; not ready: etcd-main-1 (LeaseExpired), etcd-main-2 (UnknownGracePeriodExceeded)".
std::string members_not_ready(const api::EtcdStatus& status) {
  std::vector<std::string> names;
  for (const auto& member : status.members) {
    if (member.status == api::member::kStatusReady) continue;
    names.push_back(member.reason.empty() ? member.name
                                          : fmt::format("{} ({})", member.name, member.reason));
  }
  if (names.empty()) return {};
  return fmt::format("; not ready: {}", fmt::join(names, ", "));
}

std::string objects_text(const char* verb, const std::vector<std::string>& objects) {
  return fmt::format("{} {}", verb, fmt::join(objects, ", "));
}

}  // namespace

std::vector<LifecycleEvent> condition_events(const api::EtcdStatus& before,
                                             const api::EtcdStatus& after) {
  std::vector<LifecycleEvent> events;
  for (const auto& watched : kWatched) {
    const api::Condition* old_condition = before.condition(watched.type);
    const api::Condition* new_condition = after.condition(watched.type);
    if (old_condition == nullptr || new_condition == nullptr) continue;
    const bool was_healthy = old_condition->status == watched.healthy_status;
    const bool is_healthy = new_condition->status == watched.healthy_status;
    if (was_healthy && !is_healthy) {
      std::string message = describe(*new_condition);
      if (watched.type == std::string_view(api::condition::kAllMembersReady)) {
        message += members_not_ready(after);
      }
      events.push_back({watched.broken_type, watched.broken_reason, std::move(message)});
    } else if (!was_healthy && is_healthy) {
      events.push_back(
          {kube::EventType::kNormal, watched.healthy_reason, describe(*new_condition)});
    }
  }
  return events;
}

std::optional<LifecycleEvent> spec_event(const api::Etcd& before,
                                         const std::vector<std::string>& created,
                                         const std::vector<std::string>& updated) {
  const std::int64_t generation = before.metadata.generation;
  const bool first = !before.status || !before.status->observed_generation.has_value();
  const bool same_generation =
      !first && before.status->observed_generation.value_or(0) == generation;
  std::vector<std::string> parts;
  if (!created.empty()) parts.push_back(objects_text("created", created));
  if (!updated.empty()) parts.push_back(objects_text("updated", updated));
  const std::string changes =
      parts.empty() ? "no resource needed a change" : fmt::format("{}", fmt::join(parts, "; "));
  if (first) {
    return LifecycleEvent{kube::EventType::kNormal, event_reason::kCreated,
                          fmt::format("Reconciled generation {}: {}", generation, changes)};
  }
  if (!same_generation) {
    return LifecycleEvent{kube::EventType::kNormal, event_reason::kSpecApplied,
                          fmt::format("Applied generation {}: {}", generation, changes)};
  }
  if (parts.empty()) return std::nullopt;
  return LifecycleEvent{kube::EventType::kNormal, event_reason::kDriftCorrected,
                        fmt::format("Brought generation {} back: {}", generation, changes)};
}

std::optional<std::string> rollout_progress(const nlohmann::json& statefulset,
                                            const std::vector<health::ObjectPtr>& pods) {
  const health::StatefulSetFacts facts = health::read_statefulset(statefulset, &pods);
  // Without an update revision the StatefulSet controller has not looked yet.
  if (facts.update_revision.empty() || health::revision_rolled_out(facts)) return std::nullopt;
  return fmt::format("{} of {} members updated to revision {}", facts.updated_replicas,
                     facts.spec_replicas, facts.update_revision);
}

std::optional<std::string> leader_of(const api::EtcdStatus& status) {
  for (const auto& member : status.members) {
    if (member.role && *member.role == api::member::kRoleLeader) return member.name;
  }
  return std::nullopt;
}

}  // namespace druid::controller::etcd
