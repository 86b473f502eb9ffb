#include "controller/ondelete/update_procedure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace druid::controller::ondelete {
namespace {

// Step 2 order: what contributes least goes first.
int state_rank(ContainerState state) {
  switch (state) {
    case ContainerState::kDead:
      return 0;
    case ContainerState::kTransient:
      return 1;
    case ContainerState::kUnknown:
      return 2;
    case ContainerState::kAlive:
      break;
  }
  return 3;
}

// Step 4 order: followers, then members of unknown role, the leader last.
int role_rank(Role role) {
  switch (role) {
    case Role::kMember:
      return 0;
    case Role::kUnknown:
      return 1;
    case Role::kLeader:
      break;
  }
  return 2;
}

Decision wait(Reason reason, std::optional<PodFacts> pod, std::string explanation) {
  return Decision{Action::kWait, reason, std::move(pod), std::nullopt, std::move(explanation)};
}

template <class Rank>
const PodFacts* first_by(const std::vector<const PodFacts*>& pods, Rank rank) {
  const PodFacts* best = nullptr;
  for (const PodFacts* pod : pods) {
    if (best == nullptr || rank(*pod) < rank(*best) ||
        (rank(*pod) == rank(*best) && pod->ordinal < best->ordinal)) {
      best = pod;
    }
  }
  return best;
}

}  // namespace

const char* to_string(Action action) {
  switch (action) {
    case Action::kDone:
      return "done";
    case Action::kDelete:
      return "delete";
    case Action::kWait:
      break;
  }
  return "wait";
}

Decision decide(const RolloutFacts& facts) {
  if (facts.update_revision.empty()) {
    return wait(Reason::kNoUpdateRevision, std::nullopt,
                "the StatefulSet has no status.updateRevision yet");
  }
  if (facts.last_deleted) {
    for (const auto& pod : facts.pods) {
      if (pod.name == facts.last_deleted->name && pod.uid == facts.last_deleted->uid) {
        return wait(Reason::kDeletionNotObserved, pod,
                    fmt::format("pod {} was deleted and is not gone from the cache yet", pod.name));
      }
    }
  }

  // Members: ordinals 0..replicas-1 (one pod per ordinal; names are unique).
  std::map<int, const PodFacts*> members;
  for (const auto& pod : facts.pods) {
    if (pod.ordinal >= 0 && pod.ordinal < facts.replicas) members[pod.ordinal] = &pod;
  }
  std::vector<const PodFacts*> outdated;
  for (const auto& [ordinal, pod] : members) {
    if (pod->revision != facts.update_revision) outdated.push_back(pod);
  }
  // Step 1.
  if (outdated.empty()) {
    return Decision{Action::kDone, Reason::kAllUpdated, std::nullopt, std::nullopt,
                    "every member's pod is at revision " + facts.update_revision};
  }

  // Step 2: outdated pods holding no quorum go first, one per cycle, without
  // waiting for anything else (their replacement is at the new revision).
  std::vector<const PodFacts*> idle;
  for (const PodFacts* pod : outdated) {
    if (!pod->terminating && !pod->participating) idle.push_back(pod);
  }
  if (const PodFacts* pod = first_by(idle, [](const PodFacts& p) { return state_rank(p.state); })) {
    return Decision{Action::kDelete, Reason::kOutdatedNotParticipating, *pod, std::nullopt,
                    fmt::format("outdated and not participating (etcd container {}), so it holds "
                                "no quorum",
                                to_string(pod->state))};
  }

  // Step 3: an updated pod has not rejoined: a broken revision stops here.
  for (const auto& [ordinal, pod] : members) {
    if (pod->revision == facts.update_revision && !pod->participating) {
      return wait(Reason::kUpdatedNotParticipating, *pod,
                  fmt::format("updated pod {} does not participate yet", pod->name));
    }
  }

  // Rule R (the unavailable-member rule): trouble this rollout did not cause blocks participating
  // deletions.
  for (int ordinal = 0; ordinal < facts.replicas; ++ordinal) {
    auto found = members.find(ordinal);
    if (found == members.end()) {
      return wait(Reason::kMemberUnavailable, std::nullopt,
                  fmt::format("the pod of member ordinal {} is missing", ordinal));
    }
    const PodFacts& pod = *found->second;
    if (pod.terminating) {
      const bool outdated_pod = pod.revision != facts.update_revision;
      return wait(outdated_pod ? Reason::kOutdatedTerminating : Reason::kMemberUnavailable, pod,
                  fmt::format("pod {} is terminating", pod.name));
    }
    if (!pod.participating) {
      return wait(Reason::kMemberUnavailable, pod,
                  fmt::format("pod {} does not participate", pod.name));
    }
  }

  // Step 4: every member participates; followers first, the leader last.
  const PodFacts* chosen = first_by(outdated, [](const PodFacts& p) { return role_rank(p.role); });
  Decision decision{Action::kDelete, Reason::kFollower, *chosen, std::nullopt, ""};
  switch (chosen->role) {
    case Role::kMember:
      decision.explanation = "every member participates; followers go first";
      break;
    case Role::kUnknown:
      decision.reason = Reason::kUnknownRole;
      decision.explanation =
          "every member participates; its role is unknown (no readable member lease), so it "
          "goes after the followers";
      break;
    case Role::kLeader:
      decision.reason = Reason::kLeader;
      decision.explanation = "every member participates; the leader goes last";
      if (facts.replicas > 1) {
        std::vector<const PodFacts*> targets;
        for (const auto& [ordinal, pod] : members) {
          if (pod->revision == facts.update_revision && pod->participating && !pod->terminating &&
              pod->role == Role::kMember && pod->member_id) {
            targets.push_back(pod);
          }
        }
        if (const PodFacts* target = first_by(targets, [](const PodFacts&) { return 0; })) {
          decision.transfer_target = *target;
        }
      }
      break;
  }
  return decision;
}

}  // namespace druid::controller::ondelete
