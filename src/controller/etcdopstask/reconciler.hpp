#pragma once
// The EtcdOpsTask controller's reconcile (upstream's
// internal/controller/etcdopstask): an on-demand snapshot taken by the
// backup sidecar of the task's Etcd. A task moves Pending -> InProgress ->
// Succeeded | Failed, or Pending -> Rejected when it cannot run; a completed
// task stays for ttlSecondsAfterFinished, then deletes itself. docs/etcd-ops-task-controller.md
// lists every status this writes.
//
// Writes per task: the finalizer, InProgress (or Rejected), the outcome, and
// at the end the finalizer's removal and the delete. Each status write is an
// update with the resourceVersion read, so a stale cache costs a conflict and a
// retry, never a lost or doubled transition.

#include <nlohmann/json.hpp>

#include "api/etcd_ops_task.hpp"
#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/etcdopstask/backup_sidecar.hpp"
#include "controller/etcdopstask/config.hpp"
#include "kube/client.hpp"
#include "kube/clock.hpp"
#include "kube/controller.hpp"

namespace druid::controller::etcdopstask {

// Descriptions written to status.lastOperation (upstream's wording).
namespace description {
inline constexpr const char* kExecutionInProgress = "Task Execution phase is in Progress";
inline constexpr const char* kSnapshotCreated = "Snapshot created successfully";
inline constexpr const char* kDeltaSnapshotSkipped =
    "Delta snapshot was skipped by backup-restore server";
inline constexpr const char* kDuplicateTask =
    "EtcdOpsTask for the same etcd is already in progress";
inline constexpr const char* kBackupNotEnabled = "Backup is not enabled for etcd";
inline constexpr const char* kEtcdNotReady = "Etcd is not ready";
}  // namespace description

// status.lastErrors keeps at most this many entries, oldest dropped (upstream's
// internal/controller/etcdopstask/utils.go).
inline constexpr std::size_t kMaxLastErrors = 3;

struct EtcdOpsTaskDependencies {
  component::ObjectWriter& writer;
  // EtcdOpsTasks and Etcds, from the caches; StatefulSets and Secrets are read live.
  component::ObjectReader& reader;
  BackupSidecar& sidecar;
  const kube::Clock* clock = nullptr;  // null: the system clock
};

class EtcdOpsTaskReconciler final : public kube::Reconciler {
 public:
  EtcdOpsTaskReconciler(EtcdOpsTaskDependencies dependencies, EtcdOpsTaskControllerConfig config);

  kube::ReconcileOutcome reconcile(const kube::Request& request) override;

 private:
  struct Run;
  struct Verdict;

  kube::ReconcileOutcome finish(Run& run);
  kube::ReconcileOutcome admit_and_execute(Run& run);
  Verdict admit(const Run& run);
  Verdict check_etcd(const Run& run, api::Etcd& etcd);
  Verdict sidecar_ca(const Run& run, const api::Etcd& etcd, std::string& ca_pem);
  kube::ReconcileOutcome execute(Run& run);

  util::Expected<std::monostate, kube::ApiError> set_finalizer(Run& run, bool present);
  util::Expected<std::monostate, kube::ApiError> write_status(Run& run,
                                                              const api::EtcdOpsTaskStatus& status);
  kube::ReconcileOutcome requeue_after_ttl(const Run& run);

  component::ObjectWriter& writer_;
  component::ObjectReader& reader_;
  BackupSidecar& sidecar_;
  const kube::Clock& clock_;
  EtcdOpsTaskControllerConfig config_;
};

}  // namespace druid::controller::etcdopstask
