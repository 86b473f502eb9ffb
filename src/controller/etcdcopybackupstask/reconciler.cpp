#include "controller/etcdcopybackupstask/reconciler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/annotations.hpp"
#include "api/names.hpp"
#include "api/provider.hpp"
#include "api/resources.hpp"
#include "component/statefulset_backup_store.hpp"
#include "controller/etcdcopybackupstask/error_codes.hpp"
#include "controller/etcdcopybackupstask/job_builder.hpp"
#include "controller/finalizers.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::controller::etcdcopybackupstask {

using nlohmann::json;

namespace {

// Job condition types and the task condition each becomes.
constexpr const char* kJobComplete = "Complete";
constexpr const char* kJobFailed = "Failed";

std::string string_or(const json& object, const char* key, const std::string& fallback) {
  const auto value = object.find(key);
  return value != object.end() && value->is_string() ? value->get<std::string>() : fallback;
}

std::vector<api::Condition> conditions_of(const json& job) {
  std::vector<api::Condition> conditions;
  const json status = job.value("status", json::object());
  const json job_conditions = status.value("conditions", json::array());
  if (!job_conditions.is_array()) return conditions;
  for (const auto& condition : job_conditions) {
    const std::string type = string_or(condition, "type", "");
    const char* task_type = type == kJobComplete ? api::copy_backups_condition::kSucceeded
                            : type == kJobFailed ? api::copy_backups_condition::kFailed
                                                 : nullptr;
    if (task_type == nullptr) continue;
    const std::string transition =
        string_or(condition, "lastTransitionTime",
                  string_or(util::metadata_of(job), "creationTimestamp", ""));
    api::Condition mapped;
    mapped.type = task_type;
    mapped.status = string_or(condition, "status", "");
    mapped.last_transition_time = transition;
    // lastProbeTime, as upstream; a Job without one (Kubernetes sets it on
    // Complete and Failed) would leave the CRD's required date-time empty.
    mapped.last_update_time = string_or(condition, "lastProbeTime", transition);
    mapped.reason = string_or(condition, "reason", "");
    mapped.message = string_or(condition, "message", "");
    conditions.push_back(std::move(mapped));
  }
  return conditions;
}

}  // namespace

api::EtcdCopyBackupsTaskStatus desired_status(const api::EtcdCopyBackupsTask& task,
                                              const std::optional<json>& job,
                                              const std::optional<std::string>& last_error) {
  api::EtcdCopyBackupsTaskStatus status = task.status.value_or(api::EtcdCopyBackupsTaskStatus{});
  status.observed_generation = task.metadata.generation;
  status.conditions = job ? conditions_of(*job) : std::vector<api::Condition>{};
  status.last_error = last_error;
  return status;
}

// One reconcile: the task as last read or written.
struct EtcdCopyBackupsTaskReconciler::Run {
  kube::Request request;
  json object;  // the task as the server last showed it (resourceVersion for the lock)
  api::EtcdCopyBackupsTask task;
};

// Why the Job could not be created; `retry`: the cause may pass by itself
// (an API error), so the reconcile is retried with backoff. Otherwise the
// task must change, and its next generation brings the next attempt.
struct EtcdCopyBackupsTaskReconciler::Failure {
  std::string code;
  std::string message;
  bool retry = false;
};

EtcdCopyBackupsTaskReconciler::EtcdCopyBackupsTaskReconciler(
    EtcdCopyBackupsTaskDependencies dependencies, EtcdCopyBackupsTaskControllerConfig config)
    : writer_(dependencies.writer),
      reader_(dependencies.reader),
      images_(dependencies.images),
      events_(dependencies.events),
      config_(config) {}

kube::ReconcileOutcome EtcdCopyBackupsTaskReconciler::reconcile(const kube::Request& request) {
  auto cached =
      reader_.get(api::resources::kEtcdCopyBackupsTasks, request.namespace_, request.name);
  if (!cached) {
    return util::unexpected(kube::ReconcileError{fmt::format(
        "cannot read EtcdCopyBackupsTask {}: {}", request.key(), cached.error().what())});
  }
  if (!*cached) return kube::ReconcileResult{};
  auto task = api::decode_etcd_copy_backups_task(**cached);
  if (!task) {
    // The API server validated it against the CRD; only a CRD older than this
    // operator lets such a task in. Retrying cannot help.
    spdlog::error("EtcdCopyBackupsTask {} cannot be read, leaving it alone: {}", request.key(),
                  api::to_string(task.error()));
    return kube::ReconcileResult{};
  }
  Run run{request, **cached, std::move(*task)};

  const std::string job_name = api::copy_backups_job_name(request.name);
  auto job = reader_.get(kube::resources::kJobs, request.namespace_, job_name);
  if (!job) {
    return util::unexpected(kube::ReconcileError{fmt::format(
        "cannot read Job {}/{}: {}", request.namespace_, job_name, job.error().what())});
  }
  std::optional<json> current_job;
  if (*job) current_job = **job;

  if (run.task.metadata.is_being_deleted()) return delete_job(run, current_job);
  return ensure_job(run, std::move(current_job));
}

kube::ReconcileOutcome EtcdCopyBackupsTaskReconciler::ensure_job(Run& run,
                                                                 std::optional<json> job) {
  if (!run.task.metadata.has_finalizer(api::kEtcdDruidFinalizer)) {
    if (auto added = set_finalizer(run, true); !added) {
      return util::unexpected(kube::ReconcileError{
          fmt::format("could not add finalizer {} to EtcdCopyBackupsTask {}: {}",
                      api::kEtcdDruidFinalizer, run.request.key(), added.error().what())});
    }
  }
  std::optional<Failure> failure;
  if (!job) {
    auto created = create_job(run);
    if (created) {
      job = std::move(*created);
    } else {
      failure = created.error();
      const bool news = !run.task.status || run.task.status->last_error != failure->message;
      // Once per problem: a resync of an unchanged task repeats nothing.
      if (news) {
        spdlog::warn("EtcdCopyBackupsTask {}: no job ({}): {}", run.request.key(), failure->code,
                     failure->message);
        if (!failure->retry && events_ != nullptr) {
          events_->warning(run.object, kJobNotCreatedReason, failure->message);
        }
      }
    }
  }
  const auto status = desired_status(
      run.task, job, failure ? std::optional<std::string>(failure->message) : std::nullopt);
  if (auto written = write_status(run, status); !written) {
    return util::unexpected(kube::ReconcileError{fmt::format(
        "could not update status for task {}: {}", run.request.key(), written.error().what())});
  }
  if (failure && failure->retry) return util::unexpected(kube::ReconcileError{failure->message});
  return kube::ReconcileResult{};
}

kube::ReconcileOutcome EtcdCopyBackupsTaskReconciler::delete_job(Run& run,
                                                                 const std::optional<json>& job) {
  if (!run.task.metadata.has_finalizer(api::kEtcdDruidFinalizer)) return kube::ReconcileResult{};
  if (!job) {
    if (auto removed = set_finalizer(run, false); !removed) {
      if (kube::is_not_found(removed.error())) return kube::ReconcileResult{};
      return util::unexpected(kube::ReconcileError{
          fmt::format("could not remove finalizer {} from EtcdCopyBackupsTask {}: {}",
                      api::kEtcdDruidFinalizer, run.request.key(), removed.error().what())});
    }
    spdlog::info("EtcdCopyBackupsTask {}: job gone, finalizer removed", run.request.key());
    return kube::ReconcileResult{};
  }
  std::optional<std::string> error;
  const json& meta = util::metadata_of(*job);
  if (!meta.contains("deletionTimestamp")) {
    kube::DeleteOptions options;
    // Foreground: the Job goes only after its pods, so the finalizer (removed
    // when the Job is gone) outlives every pod copying for the task.
    options.propagation_policy = "Foreground";
    options.precondition_uid = util::string_field(meta, "uid");
    const std::string name = util::string_field(meta, "name");
    auto deleted = writer_.remove(kube::resources::kJobs, run.request.namespace_, name, options);
    if (deleted) {
      spdlog::info("EtcdCopyBackupsTask {}: deleting job {}", run.request.key(), name);
    } else if (!kube::is_not_found(deleted.error())) {
      error = fmt::format("could not delete job {}/{}: {}", run.request.namespace_, name,
                          deleted.error().what());
    }
  }
  if (auto written = write_status(run, desired_status(run.task, job, error)); !written) {
    if (kube::is_not_found(written.error())) return kube::ReconcileResult{};
    return util::unexpected(
        kube::ReconcileError{fmt::format("could not update status: {}", written.error().what())});
  }
  if (error) return util::unexpected(kube::ReconcileError{*error});
  // The Job's deletion (an event of the Job informer) brings the next step.
  return kube::ReconcileResult{};
}

util::Expected<std::optional<std::string>, EtcdCopyBackupsTaskReconciler::Failure>
EtcdCopyBackupsTaskReconciler::local_host_path(const Run& run, const api::StoreSpec& store,
                                               const char* field) {
  if (!store.secret_ref) return std::optional<std::string>();
  const std::string& name = store.secret_ref->name;
  const std::string& ns = run.request.namespace_;
  // Read live and only here: the operator caches no Secret payload.
  auto secret = writer_.get_live(kube::resources::kSecrets, ns, name);
  if (!secret) {
    return util::unexpected(
        Failure{error_code::kGetStoreSecret,
                fmt::format("cannot read Secret {}/{} named by {}.secretRef: {}", ns, name, field,
                            secret.error().what()),
                true});
  }
  auto host_path = component::local_host_path_of_secret(*secret);
  if (!host_path) {
    return util::unexpected(Failure{
        error_code::kGetStoreSecret,
        fmt::format("Secret {}/{} named by {}.secretRef: {}", ns, name, field, host_path.error()),
        true});
  }
  return std::move(*host_path);
}

util::Expected<json, EtcdCopyBackupsTaskReconciler::Failure>
EtcdCopyBackupsTaskReconciler::create_job(const Run& run) {
  auto stores = check_copy_stores(run.task);
  if (!stores) return util::unexpected(Failure{stores.error().code, stores.error().message, false});
  JobInputs inputs;
  inputs.upgrade_etcd_version = config_.upgrade_etcd_version;
  if (stores->source_provider == api::storage_provider::kLocal) {
    auto path = local_host_path(run, run.task.spec.source_store, "spec.sourceStore");
    if (!path) return util::unexpected(path.error());
    inputs.source_local_host_path = std::move(*path);
  }
  if (stores->target_provider == api::storage_provider::kLocal) {
    auto path = local_host_path(run, run.task.spec.target_store, "spec.targetStore");
    if (!path) return util::unexpected(path.error());
    inputs.target_local_host_path = std::move(*path);
  }
  auto job = build_copy_backups_job(run.task, images_, inputs);
  if (!job) return util::unexpected(Failure{job.error().code, job.error().message, false});

  const std::string& ns = run.request.namespace_;
  const std::string name = api::copy_backups_job_name(run.request.name);
  auto created = writer_.create(kube::resources::kJobs, ns, *job);
  if (created) {
    spdlog::info("EtcdCopyBackupsTask {}: created job {}/{}", run.request.key(), ns, name);
    return std::move(*created);
  }
  if (kube::is_already_exists(created.error())) {
    // Created by an earlier run the cache does not show yet: adopt it.
    auto existing = writer_.get_live(kube::resources::kJobs, ns, name);
    if (existing) return std::move(*existing);
    return util::unexpected(Failure{
        error_code::kGetJob,
        fmt::format("could not get job {}/{}: {}", ns, name, existing.error().what()), true});
  }
  return util::unexpected(Failure{
      error_code::kCreateJob,
      fmt::format("could not create job {}/{}: {}", ns, name, created.error().what()), true});
}

util::Expected<std::monostate, kube::ApiError> EtcdCopyBackupsTaskReconciler::set_finalizer(
    Run& run, bool present) {
  const json patch = finalizer_patch(run.task.metadata, api::kEtcdDruidFinalizer, present);
  auto patched = writer_.patch(api::resources::kEtcdCopyBackupsTasks, run.request.namespace_,
                               run.request.name, kube::PatchType::kMerge, patch, {});
  if (!patched) return util::unexpected(patched.error());
  run.object = std::move(*patched);
  run.task.metadata.finalizers =
      finalizers_after(run.task.metadata, api::kEtcdDruidFinalizer, present);
  run.task.metadata.resource_version =
      util::string_field(util::metadata_of(run.object), "resourceVersion");
  return std::monostate{};
}

util::Expected<std::monostate, kube::ApiError> EtcdCopyBackupsTaskReconciler::write_status(
    Run& run, const api::EtcdCopyBackupsTaskStatus& status) {
  if (run.task.status.value_or(api::EtcdCopyBackupsTaskStatus{}) == status &&
      run.task.status.has_value()) {
    return std::monostate{};
  }
  // The fields this controller owns; null removes one (a merge patch).
  json owned = {{"observedGeneration",
                 status.observed_generation ? json(*status.observed_generation) : json(nullptr)},
                {"conditions", nullptr},
                {"lastError", status.last_error ? json(*status.last_error) : json(nullptr)}};
  if (!status.conditions.empty()) {
    json conditions = json::array();
    for (const auto& condition : status.conditions) conditions.push_back(api::encode(condition));
    owned["conditions"] = std::move(conditions);
  }
  const json patch = {{"metadata", {{"resourceVersion", run.task.metadata.resource_version}}},
                      {"status", std::move(owned)}};
  auto patched = writer_.patch(api::resources::kEtcdCopyBackupsTasks, run.request.namespace_,
                               run.request.name, kube::PatchType::kMerge, patch, "status");
  if (!patched) return util::unexpected(patched.error());
  run.object = std::move(*patched);
  run.task.status = status;
  run.task.metadata.resource_version =
      util::string_field(util::metadata_of(run.object), "resourceVersion");
  return std::monostate{};
}

}  // namespace druid::controller::etcdcopybackupstask
