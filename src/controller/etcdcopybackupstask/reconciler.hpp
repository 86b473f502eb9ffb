#pragma once
// The EtcdCopyBackupsTask controller's reconcile (upstream's
// internal/controller/etcdcopybackupstask): a task gets the finalizer and its
// `<task>-worker` Job, and its status mirrors the Job's outcome. The Job is
// kept after it finishes, until the task is deleted; then it is deleted in the
// foreground and the finalizer goes once it is gone. docs/etcd-copy-backups-task-controller.md
// lists every status this writes.
//
// Reads come from the informer caches (tasks, druid's Jobs); only a Local
// store's Secret is read live, and only while a Job is to be created. Status
// is written when it differs from what the task shows, so a steady state
// costs no request.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd_copy_backups_task.hpp"
#include "api/image_vector.hpp"
#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/etcdcopybackupstask/config.hpp"
#include "kube/client.hpp"
#include "kube/controller.hpp"
#include "kube/event_recorder.hpp"

namespace druid::controller::etcdcopybackupstask {

// The reason of the Warning Event on a task whose Job cannot be built.
inline constexpr const char* kJobNotCreatedReason = "CopyBackupsJobNotCreated";

struct EtcdCopyBackupsTaskDependencies {
  component::ObjectWriter& writer;
  // EtcdCopyBackupsTasks and druid's Jobs, from the caches.
  component::ObjectReader& reader;
  const api::ImageVector& images;
  kube::EventRecorder* events = nullptr;  // null: no Events
};

// The status the task should show: observedGeneration, the Job's Complete
// and Failed conditions as Succeeded and Failed (none without a Job), and
// lastError. Status fields this controller does not own are kept.
api::EtcdCopyBackupsTaskStatus desired_status(const api::EtcdCopyBackupsTask& task,
                                              const std::optional<nlohmann::json>& job,
                                              const std::optional<std::string>& last_error);

class EtcdCopyBackupsTaskReconciler final : public kube::Reconciler {
 public:
  EtcdCopyBackupsTaskReconciler(EtcdCopyBackupsTaskDependencies dependencies,
                                EtcdCopyBackupsTaskControllerConfig config);

  kube::ReconcileOutcome reconcile(const kube::Request& request) override;

 private:
  struct Run;
  struct Failure;

  kube::ReconcileOutcome ensure_job(Run& run, std::optional<nlohmann::json> job);
  kube::ReconcileOutcome delete_job(Run& run, const std::optional<nlohmann::json>& job);
  util::Expected<nlohmann::json, Failure> create_job(const Run& run);
  util::Expected<std::optional<std::string>, Failure> local_host_path(const Run& run,
                                                                      const api::StoreSpec& store,
                                                                      const char* field);

  util::Expected<std::monostate, kube::ApiError> set_finalizer(Run& run, bool present);
  util::Expected<std::monostate, kube::ApiError> write_status(
      Run& run, const api::EtcdCopyBackupsTaskStatus& status);

  component::ObjectWriter& writer_;
  component::ObjectReader& reader_;
  const api::ImageVector& images_;
  kube::EventRecorder* events_;
  EtcdCopyBackupsTaskControllerConfig config_;
};

}  // namespace druid::controller::etcdcopybackupstask
