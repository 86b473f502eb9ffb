#pragma once
// One cycle of the quorum-aware update of a StatefulSet with updateStrategy
// OnDelete (docs/quorum-aware-updates.md, "What the controller does"): a pure function
// from what the cycle read to at most one pod to delete. The steps, numbered
// as below (the document numbers rule R as its step 4 and step 4 as its 5):
//
//   1. every member's pod at updateRevision            -> done
//   2. an outdated pod is not participating            -> delete it (Dead, then
//                                                        starting, then Alive)
//   3. an updated pod is not participating             -> wait
//   R. any member missing, terminating, or unready without being updated
//      (the unavailable-member rule)                   -> wait
//   4. all outdated pods participate                   -> delete one: followers
//                                                        first, the leader last
//                                                        (after a leader transfer
//                                                        to an updated follower)
// Only pods the StatefulSet owns with ordinals 0..replicas-1 are members.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controller/ondelete/pod_facts.hpp"

namespace druid::controller::ondelete {

// The pod this controller deleted last for the StatefulSet. Until the cache
// shows that pod gone (or recreated: another UID) the cycle deletes nothing:
// a stale cache still showing it ready could otherwise let step 4 take a
// second participating pod.
struct DeletedPod {
  std::string name;
  std::string uid;
  friend bool operator==(const DeletedPod&, const DeletedPod&) = default;
};

struct RolloutFacts {
  std::int32_t replicas = 0;    // StatefulSet spec.replicas
  std::string update_revision;  // StatefulSet status.updateRevision
  std::vector<PodFacts> pods;   // the pods the StatefulSet owns, any ordinal
  std::optional<DeletedPod> last_deleted;
};

enum class Action {
  kDone,    // nothing outdated: no requeue needed
  kWait,    // nothing to delete now: requeue
  kDelete,  // delete `pod`, then requeue
};

// Why a pod was chosen, or why the cycle waits.
enum class Reason {
  kAllUpdated,                // step 1
  kNoUpdateRevision,          // the StatefulSet controller has not reported one yet
  kOutdatedNotParticipating,  // step 2
  kUpdatedNotParticipating,   // step 3
  kMemberUnavailable,         // rule R: missing, terminating or unready without update
  kDeletionNotObserved,       // the last deleted pod is still in the cache
  kOutdatedTerminating,       // the only outdated pods are already going away
  kFollower,                  // step 4, role Member
  kUnknownRole,               // step 4, no readable lease: after followers
  kLeader,                    // step 4, last
};

struct Decision {
  Action action = Action::kWait;
  Reason reason = Reason::kNoUpdateRevision;
  std::optional<PodFacts> pod;  // the pod to delete (kDelete), or the one waited for
  // kLeader with replicas > 1: the up-to-date participating follower with a
  // parsable member ID and the lowest ordinal, if any.
  std::optional<PodFacts> transfer_target;
  // A sentence for logs and Events ("why now").
  std::string explanation;
};

Decision decide(const RolloutFacts& facts);

const char* to_string(Action action);

}  // namespace druid::controller::ondelete
