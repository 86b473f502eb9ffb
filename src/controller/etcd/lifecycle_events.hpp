#pragma once
// The Events a person reads in `kubectl describe etcd` for each step of a
// cluster's life (ours; upstream records almost none): its resources created,
// a spec change applied, a rollout started, progressing and completed, a
// condition turning bad or healthy again (a member not ready, a stale backup,
// lost quorum), and deletion. Pure functions of what a reconcile saw; the
// reconciler sends them through kube::EventRecorder, which folds repeats
// and floods as client-go does, so a flapping member costs few writes.
// Reasons are constants: users filter and alert on them.

#include <optional>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "health/statefulset_status.hpp"
#include "kube/event_recorder.hpp"

namespace druid::controller::etcd {

namespace event_reason {
inline constexpr const char* kCreated = "Created";
inline constexpr const char* kSpecApplied = "SpecApplied";
inline constexpr const char* kDriftCorrected = "DriftCorrected";
inline constexpr const char* kRolloutStarted = "RolloutStarted";
inline constexpr const char* kRolloutProgress = "RolloutProgress";
inline constexpr const char* kRolloutCompleted = "RolloutCompleted";
inline constexpr const char* kClusterNotReady = "ClusterNotReady";
inline constexpr const char* kClusterReady = "ClusterReady";
inline constexpr const char* kMemberNotReady = "MemberNotReady";
inline constexpr const char* kMembersReady = "MembersReady";
inline constexpr const char* kBackupStale = "BackupStale";
inline constexpr const char* kBackupReady = "BackupReady";
inline constexpr const char* kDataVolumesNotReady = "DataVolumesNotReady";
inline constexpr const char* kDataVolumesReady = "DataVolumesReady";
inline constexpr const char* kClusterIdMismatch = "ClusterIDMismatch";
inline constexpr const char* kClusterIdMismatchResolved = "ClusterIDMismatchResolved";
inline constexpr const char* kDeleting = "Deleting";
inline constexpr const char* kDeleted = "Deleted";
}  // namespace event_reason

struct LifecycleEvent {
  kube::EventType type = kube::EventType::kNormal;
  std::string reason;
  std::string message;
  friend bool operator==(const LifecycleEvent&, const LifecycleEvent&) = default;
};

// One Event per watched condition that left its healthy status (Warning) or
// reached it from a recorded unhealthy one (Normal). A condition seen for the
// first time says nothing: a new cluster's Unknown is not news.
std::vector<LifecycleEvent> condition_events(const api::EtcdStatus& before,
                                             const api::EtcdStatus& after);

// What a completed spec reconcile did, for an Etcd as it was before the run:
// Created on its first reconcile, SpecApplied for a new generation,
// DriftCorrected when the same generation needed writes (someone removed or
// changed a managed object); nothing when nothing happened. `created` and
// `updated` name objects as "Kind name".
std::optional<LifecycleEvent> spec_event(const api::Etcd& before,
                                         const std::vector<std::string>& created,
                                         const std::vector<std::string>& updated);

// Rollout progress from the StatefulSet and the Etcd's pods (under OnDelete
// the pods' revisions tell, as for AllMembersUpdated): nullopt when every pod runs the
// update revision, else "2 of 3 members updated to revision etcd-main-5d9c".
std::optional<std::string> rollout_progress(const nlohmann::json& statefulset,
                                            const std::vector<health::ObjectPtr>& pods);

// The name of the member whose role is Leader; nullopt without one.
std::optional<std::string> leader_of(const api::EtcdStatus& status);

}  // namespace druid::controller::etcd
