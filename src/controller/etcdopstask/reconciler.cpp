#include "controller/etcdopstask/reconciler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <string>

#include "api/annotations.hpp"
#include "api/defaults.hpp"
#include "api/names.hpp"
#include "api/resources.hpp"
#include "component/backup_ca.hpp"
#include "component/statefulset_pod_names.hpp"
#include "controller/etcdopstask/error_codes.hpp"
#include "controller/finalizers.hpp"
#include "controller/run_id.hpp"
#include "kube/resource.hpp"
#include "util/base64.hpp"
#include "util/json_access.hpp"
#include "util/time.hpp"

namespace druid::controller::etcdopstask {

using nlohmann::json;

namespace {

std::string task_key(const kube::Request& request) {
  return request.key();
}

// A sidecar's answer shortened for a status message.
std::string excerpt(std::string_view body) {
  constexpr std::size_t kMax = 256;
  std::string text(body.substr(0, kMax));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (body.size() > kMax) text += "...";
  return text;
}

bool is_null_body(std::string_view body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  const auto last = body.find_last_not_of(" \t\r\n");
  return body.substr(first, last - first + 1) == "null";
}

}  // namespace

// One reconcile: the task as last read or written, and this run's facts.
struct EtcdOpsTaskReconciler::Run {
  kube::Request request;
  json object;  // the task as the server last showed it (resourceVersion for updates)
  api::EtcdOpsTask task;
  std::string run_id;
  util::Time now;

  api::EtcdOpsTaskStatus status() const { return task.status.value_or(api::EtcdOpsTaskStatus{}); }
  const std::string& state() const {
    static const std::string kNone;
    return task.status && task.status->state ? *task.status->state : kNone;
  }
};

// Why a task cannot go on: a code for lastErrors and a description. `retry`
// means the cause may pass (an API error): the task keeps its state.
struct EtcdOpsTaskReconciler::Verdict {
  bool ok = true;
  bool retry = false;
  std::string code;
  std::string description;

  static Verdict pass() { return {}; }
  static Verdict stop(std::string code, std::string description) {
    return {false, false, std::move(code), std::move(description)};
  }
  static Verdict again(std::string description) {
    return {false, true, {}, std::move(description)};
  }
};

EtcdOpsTaskReconciler::EtcdOpsTaskReconciler(EtcdOpsTaskDependencies dependencies,
                                             EtcdOpsTaskControllerConfig config)
    : writer_(dependencies.writer),
      reader_(dependencies.reader),
      sidecar_(dependencies.sidecar),
      clock_(dependencies.clock != nullptr ? *dependencies.clock : kube::system_clock()),
      config_(config) {}

kube::ReconcileOutcome EtcdOpsTaskReconciler::reconcile(const kube::Request& request) {
  auto cached = reader_.get(api::resources::kEtcdOpsTasks, request.namespace_, request.name);
  if (!cached) {
    return util::unexpected(kube::ReconcileError{
        fmt::format("cannot read EtcdOpsTask {}: {}", task_key(request), cached.error().what())});
  }
  if (!*cached) return kube::ReconcileResult{};
  auto task = api::decode_etcd_ops_task(**cached);
  if (!task) {
    // The API server validated it against the CRD; only a CRD older than this
    // operator lets such a task in. Retrying cannot help.
    spdlog::error("EtcdOpsTask {} cannot be read, leaving it alone: {}", task_key(request),
                  api::to_string(task.error()));
    return kube::ReconcileResult{};
  }
  Run run{request, **cached, std::move(*task), new_run_id(), clock_.wall_now()};
  if (run.task.metadata.deletion_timestamp || api::is_completed(run.task)) return finish(run);
  return admit_and_execute(run);
}

kube::ReconcileOutcome EtcdOpsTaskReconciler::requeue_after_ttl(const Run& run) {
  auto since = util::parse_rfc3339(run.status().last_transition_time.value_or(""));
  if (!since) since = util::parse_rfc3339(run.task.metadata.creation_timestamp);
  const util::Time expiry =
      (since ? *since : run.now) + std::chrono::seconds(api::ttl_seconds_after_finished(run.task));
  if (expiry <= run.now) return kube::ReconcileResult{.requeue = false, .requeue_after = {}};
  return kube::ReconcileResult{
      .requeue = false,
      .requeue_after = std::chrono::duration_cast<kube::Clock::Duration>(expiry - run.now)};
}

// Completed tasks wait for their TTL, then go; a task deleted by a person goes
// at once. The finalizer goes first: a crash before the delete leaves a task
// without it, which the next reconcile deletes.
kube::ReconcileOutcome EtcdOpsTaskReconciler::finish(Run& run) {
  const bool deleting = run.task.metadata.deletion_timestamp.has_value();
  if (!deleting) {
    auto wait = requeue_after_ttl(run);
    if (wait && wait->requeue_after > kube::Clock::Duration::zero()) return wait;
  }
  if (run.task.metadata.has_finalizer(api::kEtcdOpsTaskFinalizer)) {
    if (auto removed = set_finalizer(run, false); !removed) {
      if (kube::is_not_found(removed.error())) return kube::ReconcileResult{};
      return util::unexpected(kube::ReconcileError{
          fmt::format("cannot remove finalizer {} from EtcdOpsTask {}: {}",
                      api::kEtcdOpsTaskFinalizer, task_key(run.request), removed.error().what())});
    }
  }
  if (deleting) return kube::ReconcileResult{};
  kube::DeleteOptions options;
  options.precondition_uid = run.task.metadata.uid;
  auto deleted = writer_.remove(api::resources::kEtcdOpsTasks, run.request.namespace_,
                                run.request.name, options);
  if (deleted || kube::is_not_found(deleted.error())) {
    spdlog::info("EtcdOpsTask {} deleted {}s after it finished", task_key(run.request),
                 api::ttl_seconds_after_finished(run.task));
    return kube::ReconcileResult{};
  }
  auto status = run.status();
  status.last_errors.push_back(
      {error_code::kDeleteEtcdOpsTask,
       fmt::format("Failed to delete EtcdOpsTask after its TTL: {}", deleted.error().what()),
       util::format_rfc3339(run.now),
       {}});
  (void)write_status(run, status);  // best effort: the error below retries either way
  return util::unexpected(kube::ReconcileError{fmt::format(
      "cannot delete EtcdOpsTask {}: {}", task_key(run.request), deleted.error().what())});
}

kube::ReconcileOutcome EtcdOpsTaskReconciler::admit_and_execute(Run& run) {
  if (!run.task.metadata.has_finalizer(api::kEtcdOpsTaskFinalizer)) {
    if (auto added = set_finalizer(run, true); !added) {
      return util::unexpected(kube::ReconcileError{
          fmt::format("cannot add finalizer {} to EtcdOpsTask {}: {}", api::kEtcdOpsTaskFinalizer,
                      task_key(run.request), added.error().what())});
    }
  }
  if (run.state().empty() || run.state() == api::ops_task_state::kPending) {
    const Verdict verdict = admit(run);
    if (verdict.retry) return util::unexpected(kube::ReconcileError{verdict.description});
    auto status = run.status();
    status.last_transition_time = util::format_rfc3339(run.now);
    if (!verdict.ok) {
      status.state = api::ops_task_state::kRejected;
      status.last_operation = {api::last_operation::kTypeAdmit,
                               api::last_operation::kStateFailed,
                               verdict.description,
                               run.run_id,
                               util::format_rfc3339(run.now),
                               {}};
      status.last_errors.push_back(
          {verdict.code, verdict.description, util::format_rfc3339(run.now), {}});
    } else {
      // Admission reads only caches, so Pending would stand for no time at
      // all: the task goes to InProgress in one write.
      status.state = api::ops_task_state::kInProgress;
      status.started_at = util::format_rfc3339(run.now);
      status.last_operation = {
          api::last_operation::kTypeExecution, api::last_operation::kStateInProgress,
          description::kExecutionInProgress,   run.run_id,
          util::format_rfc3339(run.now),       {}};
    }
    if (auto written = write_status(run, status); !written) {
      return util::unexpected(
          kube::ReconcileError{fmt::format("cannot update the status of EtcdOpsTask {}: {}",
                                           task_key(run.request), written.error().what())});
    }
    if (!verdict.ok) {
      spdlog::info("EtcdOpsTask {} rejected: {}", task_key(run.request), verdict.description);
      return requeue_after_ttl(run);
    }
  }
  return execute(run);
}

EtcdOpsTaskReconciler::Verdict EtcdOpsTaskReconciler::check_etcd(const Run& run, api::Etcd& etcd) {
  const auto& ns = run.request.namespace_;
  const std::string name = run.task.spec.etcd_name.value_or("");
  if (name.empty()) {
    return Verdict::stop(error_code::kGetEtcd, "spec.etcdName is not set: no Etcd to snapshot");
  }
  auto cached = reader_.get(api::resources::kEtcds, ns, name);
  if (!cached) {
    return Verdict::again(
        fmt::format("cannot read Etcd {}/{}: {}", ns, name, cached.error().what()));
  }
  if (!*cached) {
    return Verdict::stop(error_code::kGetEtcd, fmt::format("Etcd {}/{} not found", ns, name));
  }
  auto decoded = api::decode_etcd(**cached);
  if (!decoded) {
    return Verdict::stop(error_code::kGetEtcd, fmt::format("Etcd {}/{} cannot be read: {}", ns,
                                                           name, api::to_string(decoded.error())));
  }
  etcd = std::move(*decoded);
  if (!api::is_backup_store_enabled(etcd)) {
    return Verdict::stop(error_code::kBackupNotEnabled, description::kBackupNotEnabled);
  }
  const api::Condition* ready =
      etcd.status ? etcd.status->condition(api::condition::kReady) : nullptr;
  if (ready == nullptr || ready->status != api::kConditionTrue) {
    return Verdict::stop(error_code::kEtcdNotReady, description::kEtcdNotReady);
  }
  return Verdict::pass();
}

// One task per Etcd at a time. Of two tasks for the same Etcd created
// together, the older goes ahead (then the smaller name) and the other is
// rejected: upstream rejects a task whenever another unfinished one exists,
// so two Pending tasks could reject each other.
EtcdOpsTaskReconciler::Verdict EtcdOpsTaskReconciler::admit(const Run& run) {
  auto tasks = reader_.list(api::resources::kEtcdOpsTasks, run.request.namespace_, {});
  if (!tasks) {
    return Verdict::again(fmt::format("cannot list EtcdOpsTasks in namespace {}: {}",
                                      run.request.namespace_, tasks.error().what()));
  }
  const std::string etcd_name = run.task.spec.etcd_name.value_or("");
  const auto& mine = run.task.metadata;
  for (const auto& object : *tasks) {
    auto other = api::decode_etcd_ops_task(*object);
    if (!other || other->metadata.name == mine.name) continue;
    if (other->spec.etcd_name.value_or("") != etcd_name || api::is_completed(*other)) continue;
    const std::string other_state =
        other->status && other->status->state ? *other->status->state : "";
    const bool ahead = other_state == api::ops_task_state::kInProgress ||
                       std::tie(other->metadata.creation_timestamp, other->metadata.name) <
                           std::tie(mine.creation_timestamp, mine.name);
    if (ahead) return Verdict::stop(error_code::kDuplicateTask, description::kDuplicateTask);
  }
  api::Etcd etcd;
  return check_etcd(run, etcd);
}

// The CA that signed the sidecar's serving certificate: the Secret the
// StatefulSet mounts as backup-restore-ca, key as component::backup_ca_pem
// picks it. Read live: the operator caches no Secret payload.
EtcdOpsTaskReconciler::Verdict EtcdOpsTaskReconciler::sidecar_ca(const Run& run,
                                                                 const api::Etcd& etcd,
                                                                 std::string& ca_pem) {
  const auto& ns = run.request.namespace_;
  const std::string sts_name = api::statefulset_name(etcd);
  auto statefulset = writer_.get_live(kube::resources::kStatefulSets, ns, sts_name);
  if (!statefulset) {
    if (kube::is_not_found(statefulset.error())) {
      return Verdict::stop(error_code::kGetCaSecret,
                           fmt::format("StatefulSet {}/{} not found: the backup CA it mounts "
                                       "cannot be looked up",
                                       ns, sts_name));
    }
    return Verdict::again(
        fmt::format("cannot read StatefulSet {}/{}: {}", ns, sts_name, statefulset.error().what()));
  }
  std::string secret_name;
  const json::json_pointer volumes("/spec/template/spec/volumes");
  if (statefulset->contains(volumes) && statefulset->at(volumes).is_array()) {
    for (const auto& volume : statefulset->at(volumes)) {
      if (util::string_field(volume, "name") != component::pod::kBackupRestoreCaVolume) continue;
      secret_name = util::string_field(volume.value("secret", json::object()), "secretName");
    }
  }
  if (secret_name.empty()) {
    return Verdict::stop(error_code::kGetCaSecret,
                         fmt::format("StatefulSet {}/{} has no volume {} naming the backup CA "
                                     "Secret",
                                     ns, sts_name, component::pod::kBackupRestoreCaVolume));
  }
  auto secret = writer_.get_live(kube::resources::kSecrets, ns, secret_name);
  if (!secret) {
    if (kube::is_not_found(secret.error())) {
      return Verdict::stop(error_code::kGetCaSecret,
                           fmt::format("backup CA Secret {}/{} not found", ns, secret_name));
    }
    return Verdict::again(fmt::format("cannot read backup CA Secret {}/{}: {}", ns, secret_name,
                                      secret.error().what()));
  }
  auto pem = component::backup_ca_pem(*secret, etcd);
  if (!pem) {
    return Verdict::stop(
        error_code::kCaDataKeyNotFound,
        fmt::format("backup CA Secret {}/{} has no key {}", ns, secret_name, pem.error()));
  }
  ca_pem = std::move(*pem);
  return Verdict::pass();
}

kube::ReconcileOutcome EtcdOpsTaskReconciler::execute(Run& run) {
  const auto fail = [&](const std::string& code,
                        const std::string& message) -> kube::ReconcileOutcome {
    auto status = run.status();
    status.state = api::ops_task_state::kFailed;
    status.last_transition_time = util::format_rfc3339(run.now);
    status.last_operation = {api::last_operation::kTypeExecution,
                             api::last_operation::kStateFailed,
                             message,
                             run.run_id,
                             util::format_rfc3339(run.now),
                             {}};
    status.last_errors.push_back({code, message, util::format_rfc3339(run.now), {}});
    if (auto written = write_status(run, status); !written) {
      return util::unexpected(
          kube::ReconcileError{fmt::format("cannot update the status of EtcdOpsTask {}: {}",
                                           task_key(run.request), written.error().what())});
    }
    spdlog::info("EtcdOpsTask {} failed: {}", task_key(run.request), message);
    return requeue_after_ttl(run);
  };

  const auto& snapshot = run.task.spec.config.on_demand_snapshot;
  if (!snapshot) return fail(error_code::kCreateSnapshot, "spec.config names no operation");
  api::Etcd etcd;
  if (const Verdict verdict = check_etcd(run, etcd); !verdict.ok) {
    if (verdict.retry) return util::unexpected(kube::ReconcileError{verdict.description});
    return fail(verdict.code, verdict.description);
  }
  SnapshotCall call;
  if (etcd.spec.backup.tls) {
    const Verdict verdict = sidecar_ca(run, etcd, call.ca_pem);
    if (verdict.retry) return util::unexpected(kube::ReconcileError{verdict.description});
    if (!verdict.ok) return fail(verdict.code, verdict.description);
  }
  const bool full = snapshot->type == api::kSnapshotTypeFull;
  call.url = fmt::format("{}://{}.{}:{}/snapshot/{}{}", etcd.spec.backup.tls ? "https" : "http",
                         api::client_service_name(etcd), etcd.metadata.namespace_,
                         api::effective::backup_port(etcd), snapshot->type,
                         snapshot->is_final.value_or(false) ? "?final=true" : "");
  call.timeout = std::chrono::seconds(full ? api::timeout_seconds_full(*snapshot)
                                           : api::timeout_seconds_delta(*snapshot));
  auto answer = sidecar_.take_snapshot(call);
  if (!answer) {
    if (answer.error().kind == SnapshotCallErrorKind::kInvalidCa) {
      return fail(
          error_code::kAppendCaCerts,
          fmt::format("the backup CA holds no usable certificate: {}", answer.error().message));
    }
    // No answer: the sidecar may be restarting. The task stays InProgress
    // and tries again.
    auto status = run.status();
    const std::string message =
        fmt::format("Failed to call {}: {}", call.url, answer.error().message);
    status.last_operation = {api::last_operation::kTypeExecution,
                             api::last_operation::kStateInProgress,
                             message,
                             run.run_id,
                             util::format_rfc3339(run.now),
                             {}};
    status.last_errors.push_back(
        {error_code::kExecuteHttpRequest, message, util::format_rfc3339(run.now), {}});
    if (auto written = write_status(run, status); !written) {
      return util::unexpected(
          kube::ReconcileError{fmt::format("cannot update the status of EtcdOpsTask {}: {}",
                                           task_key(run.request), written.error().what())});
    }
    return kube::ReconcileResult{.requeue = false,
                                 .requeue_after = std::chrono::duration_cast<kube::Clock::Duration>(
                                     config_.requeue_interval)};
  }
  if (answer->status != 200) {
    return fail(error_code::kCreateSnapshot,
                fmt::format("Failed to create snapshot: backup-restore server answered HTTP {}: {}",
                            answer->status, excerpt(answer->body)));
  }
  auto status = run.status();
  status.state = api::ops_task_state::kSucceeded;
  status.last_transition_time = util::format_rfc3339(run.now);
  status.last_operation = {api::last_operation::kTypeExecution,
                           api::last_operation::kStateCompleted,
                           !full && is_null_body(answer->body) ? description::kDeltaSnapshotSkipped
                                                               : description::kSnapshotCreated,
                           run.run_id,
                           util::format_rfc3339(run.now),
                           {}};
  if (auto written = write_status(run, status); !written) {
    return util::unexpected(
        kube::ReconcileError{fmt::format("cannot update the status of EtcdOpsTask {}: {}",
                                         task_key(run.request), written.error().what())});
  }
  spdlog::info("EtcdOpsTask {}: {}", task_key(run.request), status.last_operation->description);
  return requeue_after_ttl(run);
}

util::Expected<std::monostate, kube::ApiError> EtcdOpsTaskReconciler::set_finalizer(Run& run,
                                                                                    bool present) {
  const json patch = finalizer_patch(run.task.metadata, api::kEtcdOpsTaskFinalizer, present);
  auto patched = writer_.patch(api::resources::kEtcdOpsTasks, run.request.namespace_,
                               run.request.name, kube::PatchType::kMerge, patch, {});
  if (!patched) return util::unexpected(patched.error());
  run.object = std::move(*patched);
  run.task.metadata.finalizers =
      finalizers_after(run.task.metadata, api::kEtcdOpsTaskFinalizer, present);
  run.task.metadata.resource_version =
      util::string_field(util::metadata_of(run.object), "resourceVersion");
  return std::monostate{};
}

util::Expected<std::monostate, kube::ApiError> EtcdOpsTaskReconciler::write_status(
    Run& run, const api::EtcdOpsTaskStatus& status) {
  api::EtcdOpsTaskStatus capped = status;
  if (capped.last_errors.size() > kMaxLastErrors) {
    capped.last_errors.erase(
        capped.last_errors.begin(),
        capped.last_errors.end() - static_cast<std::ptrdiff_t>(kMaxLastErrors));
  }
  if (run.task.status && *run.task.status == capped) return std::monostate{};
  json object = run.object;
  object["status"] = api::encode(capped);
  auto updated =
      writer_.update_status(api::resources::kEtcdOpsTasks, run.request.namespace_, object);
  if (!updated) return util::unexpected(updated.error());
  run.object = std::move(*updated);
  run.task.status = std::move(capped);
  run.task.metadata.resource_version =
      util::string_field(util::metadata_of(run.object), "resourceVersion");
  return std::monostate{};
}

}  // namespace druid::controller::etcdopstask
