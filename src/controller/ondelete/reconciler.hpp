#pragma once
// The OnDelete controller's reconcile of one StatefulSet
// (docs/quorum-aware-updates.md inert unless spec.updateStrategy.type is
// OnDelete; otherwise reads the StatefulSet, its Etcd, the pods it owns and
// their member leases from the reader (the operator's caches), runs one cycle
// of the update procedure and deletes at most one pod: a plain DELETE with the
// pod's UID as precondition (never an eviction). Before deleting the leader it
// asks the LeaderTransfer to move leadership to an updated follower. Each
// deletion gives one Event on the Etcd and one count of the metric.
//
// Stateless but for one fact per StatefulSet: the pod it deleted last, so a
// cache that still shows that pod does not let the next cycle delete another.
// After a restart that memory is empty, and a deleted pod that is terminating
// or missing blocks step 4 anyway (rule R of update_procedure.hpp, the
// unavailable-member rule).

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/ondelete/leader_transfer.hpp"
#include "controller/ondelete/pod_update_metrics.hpp"
#include "controller/ondelete/update_procedure.hpp"
#include "kube/client.hpp"
#include "kube/controller.hpp"
#include "kube/event_recorder.hpp"

namespace druid::controller::ondelete {

// Event reasons (on the Etcd).
inline constexpr const char* kPodDeletedForUpdateReason = "PodDeletedForUpdate";
inline constexpr const char* kLeaderTransferFailedReason = "LeaderTransferFailed";
inline constexpr const char* kPodDeleteForUpdateFailedReason = "PodDeleteForUpdateFailed";

struct OnDeleteControllerConfig {
  // While a rollout is in progress the StatefulSet is looked at again after
  // this delay (pod events also trigger a cycle at once).
  std::chrono::milliseconds requeue_interval{5000};
  int workers = 1;
};

struct OnDeleteDependencies {
  component::ObjectWriter& writer;  // pod deletes
  component::ObjectReader& reader;  // StatefulSets, Etcds, pods, leases
  kube::EventRecorder* events = nullptr;
  LeaderTransfer* leader_transfer = nullptr;  // null: the leader goes without a transfer
  PodUpdateMetrics* metrics = nullptr;
};

class OnDeleteReconciler final : public kube::Reconciler {
 public:
  OnDeleteReconciler(OnDeleteDependencies deps, OnDeleteControllerConfig config)
      : deps_(deps), config_(config) {}

  kube::ReconcileOutcome reconcile(const kube::Request& request) override;

 private:
  std::optional<DeletedPod> last_deleted(const std::string& key) const;
  void remember(const std::string& key, std::optional<DeletedPod> pod);

  OnDeleteDependencies deps_;
  OnDeleteControllerConfig config_;
  mutable std::mutex mutex_;
  std::map<std::string, DeletedPod> last_deleted_;  // by StatefulSet key
};

}  // namespace druid::controller::ondelete
