#pragma once
// The compaction controller's reconcile (upstream's internal/controller/compaction):
// one cycle per Etcd, triggered by its snapshot leases and its compaction Job
// (setup.hpp), never by the Etcd itself.
//   1. Etcd gone: nothing. Being deleted or without backup store: its Job goes.
//   2. A Job exists: being deleted -> look again later; not finished -> wait
//      for its next status change; finished -> the LastSnapshotCompactionSucceeded
//      condition, the metrics, then the Job is deleted (Foreground).
//   3. No Job: decision.hpp on the two snapshot leases: nothing, a Job, or a
//      full snapshot by the backup sidecar (`GET /snapshot/full`).
// docs/compaction-controller.md lists every condition this writes.
//
// Writes: the condition only when its status, reason or message changes (a
// merge patch of status.conditions with the resourceVersion read, so a stale
// cache costs a conflict and a retry, never a lost condition); the Job's
// create and delete. A Job that already exists (an operator restarted after
// creating it) is adopted: AlreadyExists on create means it is there.

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"
#include "api/image_vector.hpp"
#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/compaction/config.hpp"
#include "controller/compaction/decision.hpp"
#include "controller/compaction/metrics.hpp"
#include "controller/etcdopstask/backup_sidecar.hpp"
#include "kube/client.hpp"
#include "kube/clock.hpp"
#include "kube/controller.hpp"
#include "kube/event_recorder.hpp"

namespace druid::controller::compaction {

// Messages of the LastSnapshotCompactionSucceeded condition (upstream's wording).
namespace message {
// "Compaction job <ns>/<job> completed with state <reason>", plus
// ", Compaction will be retried" when it failed.
std::string job_completed(const std::string& ns, const std::string& job, const std::string& reason,
                          bool succeeded);
// "Full snapshot taken successfully for etcd <ns>/<etcd>".
std::string full_snapshot_taken(const std::string& ns, const std::string& etcd);
// "Error while triggering full snapshot for etcd <ns>/<etcd>: <error> ,Compaction will be retried"
// (upstream's comma placement).
std::string full_snapshot_failed(const std::string& ns, const std::string& etcd,
                                 const std::string& error);
}  // namespace message

// How long a written condition may be missing from the cache before the
// reconciler goes on with what the cache shows.
inline constexpr std::chrono::seconds kConditionCacheWait{30};

struct CompactionDependencies {
  component::ObjectWriter& writer;
  // Etcds, Jobs, Leases and Pods from the caches; Secrets are read live.
  component::ObjectReader& reader;
  const api::ImageVector& images;
  etcdopstask::BackupSidecar& sidecar;
  kube::EventRecorder* events = nullptr;  // null: no Events
  CompactionMetrics* metrics = nullptr;   // null: not measured
  const kube::Clock* clock = nullptr;     // null: the system clock
};

class CompactionReconciler final : public kube::Reconciler {
 public:
  CompactionReconciler(CompactionDependencies dependencies, CompactionControllerConfig config);

  kube::ReconcileOutcome reconcile(const kube::Request& request) override;

 private:
  struct Run;

  kube::ReconcileOutcome delete_job_if_present(const Run& run);
  kube::ReconcileOutcome finish_job(Run& run, const nlohmann::json& job);
  kube::ReconcileOutcome take_full_snapshot(Run& run);
  kube::ReconcileOutcome create_job(Run& run);
  util::Expected<std::string, std::string> backup_ca(const Run& run);
  util::Expected<std::string, std::string> local_host_path(const Run& run);
  // Sets LastSnapshotCompactionSucceeded unless it already says this.
  util::Expected<std::monostate, std::string> write_condition(Run& run, const std::string& status,
                                                              const std::string& reason,
                                                              const std::string& message);
  // The UID of the finished Job this reconciler deleted last, per Etcd, until
  // the cache no longer shows it: a cache that lags must not make a Job count
  // twice, nor its deletion be mistaken for a Job still to be handled.
  std::string deleted_job(const std::string& etcd_key) const;
  void remember_deleted_job(const std::string& etcd_key, std::string uid);
  // Whether the cached Etcd does not show the condition this reconciler wrote
  // last yet. The next decision depends on it (DeadlineExceeded means a full
  // snapshot, not a Job), so a lagging cache is waited for, up to
  // kConditionCacheWait (upstream polls the cache for 30 s the same way).
  bool condition_not_cached_yet(const Run& run);

  component::ObjectWriter& writer_;
  component::ObjectReader& reader_;
  const api::ImageVector& images_;
  etcdopstask::BackupSidecar& sidecar_;
  kube::EventRecorder* events_;
  CompactionMetrics* metrics_;
  const kube::Clock& clock_;
  CompactionControllerConfig config_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> deleted_jobs_;  // Etcd key -> Job UID
  struct WrittenCondition {
    api::Condition condition;
    util::Time at;
  };
  std::map<std::string, WrittenCondition> written_conditions_;  // by Etcd key
};

}  // namespace druid::controller::compaction
