#include "controller/compaction/reconciler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>

#include "api/defaults.hpp"
#include "api/names.hpp"
#include "api/provider.hpp"
#include "api/resources.hpp"
#include "component/backup_ca.hpp"
#include "component/component.hpp"
#include "component/statefulset_backup_store.hpp"
#include "controller/compaction/error_codes.hpp"
#include "controller/compaction/job_builder.hpp"
#include "controller/compaction/job_outcome.hpp"
#include "kube/resource.hpp"
#include "util/base64.hpp"
#include "util/json_access.hpp"
#include "util/time.hpp"

namespace druid::controller::compaction {

using nlohmann::json;

namespace {

// How long the sidecar may take for the full snapshot when
// spec.backup.etcdSnapshotTimeout does not say (upstream's 15m default).
constexpr std::chrono::seconds kDefaultFullSnapshotTimeout{900};

kube::ReconcileOutcome done() {
  return kube::ReconcileResult{};
}

kube::ReconcileOutcome failed(std::string message) {
  return util::unexpected(kube::ReconcileError{std::move(message)});
}

}  // namespace

namespace message {

std::string job_completed(const std::string& ns, const std::string& job, const std::string& reason,
                          bool succeeded) {
  return fmt::format("Compaction job {}/{} completed with state {}{}", ns, job, reason,
                     succeeded ? "" : ", Compaction will be retried");
}

std::string full_snapshot_taken(const std::string& ns, const std::string& etcd) {
  return fmt::format("Full snapshot taken successfully for etcd {}/{}", ns, etcd);
}

std::string full_snapshot_failed(const std::string& ns, const std::string& etcd,
                                 const std::string& error) {
  return fmt::format(
      "Error while triggering full snapshot for etcd {}/{}: {} ,Compaction will be "
      "retried",
      ns, etcd, error);
}

}  // namespace message

// One reconcile: the Etcd as last read or written.
struct CompactionReconciler::Run {
  kube::Request request;
  json object;  // the Etcd as the server last showed it (resourceVersion for the patch)
  api::Etcd etcd;
  util::Time now;

  const std::string& ns() const { return request.namespace_; }
  std::string key() const { return request.key(); }
  std::string job_name() const { return api::compaction_job_name(etcd); }
  const api::Condition* last_compaction() const {
    return etcd.status ? etcd.status->condition(api::condition::kLastSnapshotCompactionSucceeded)
                       : nullptr;
  }
};

CompactionReconciler::CompactionReconciler(CompactionDependencies dependencies,
                                           CompactionControllerConfig config)
    : writer_(dependencies.writer),
      reader_(dependencies.reader),
      images_(dependencies.images),
      sidecar_(dependencies.sidecar),
      events_(dependencies.events),
      metrics_(dependencies.metrics),
      clock_(dependencies.clock != nullptr ? *dependencies.clock : kube::system_clock()),
      config_(std::move(config)) {}

kube::ReconcileOutcome CompactionReconciler::reconcile(const kube::Request& request) {
  auto cached = reader_.get(api::resources::kEtcds, request.namespace_, request.name);
  if (!cached) {
    return failed(fmt::format("cannot read Etcd {}: {}", request.key(), cached.error().what()));
  }
  if (!*cached) return done();
  auto etcd = api::decode_etcd(**cached);
  if (!etcd) {
    // The API server validated it against the CRD: retrying cannot help.
    spdlog::error("Etcd {} cannot be read, no compaction for it: {}", request.key(),
                  api::to_string(etcd.error()));
    return done();
  }
  Run run{request, **cached, std::move(*etcd), clock_.wall_now()};
  if (run.etcd.metadata.deletion_timestamp || !api::is_backup_store_enabled(run.etcd)) {
    return delete_job_if_present(run);
  }
  const auto requeue = kube::ReconcileResult{
      .requeue = false,
      .requeue_after = std::chrono::duration_cast<kube::Clock::Duration>(config_.requeue_interval)};
  if (condition_not_cached_yet(run)) return requeue;

  auto job = reader_.get(kube::resources::kJobs, run.ns(), run.job_name());
  if (!job) {
    return failed(fmt::format("cannot read compaction Job {}/{}: {}", run.ns(), run.job_name(),
                              job.error().what()));
  }
  if (!*job) remember_deleted_job(run.key(), {});
  if (*job) {
    const json& current = **job;
    const bool deleted_by_us =
        util::string_field(util::metadata_of(current), "uid") == deleted_job(run.key());
    if (deleted_by_us || util::metadata_of(current).contains("deletionTimestamp")) {
      // Its pod is still going (Foreground deletion), or the cache has not
      // seen the deletion yet; a new Job waits for it.
      return requeue;
    }
    if (!is_finished(current)) {
      if (metrics_ != nullptr) metrics_->set_jobs_current(run.ns(), 1);
      return done();  // its next status change brings it back
    }
    return finish_job(run, current);
  }

  auto full =
      reader_.get(kube::resources::kLeases, run.ns(), api::full_snapshot_lease_name(run.etcd));
  auto delta =
      reader_.get(kube::resources::kLeases, run.ns(), api::delta_snapshot_lease_name(run.etcd));
  if (!full || !delta) {
    return failed(fmt::format("cannot read the snapshot leases of Etcd {}: {}", run.key(),
                              (!full ? full.error() : delta.error()).what()));
  }
  const Thresholds thresholds = effective_thresholds(
      run.etcd, {config_.events_threshold, config_.trigger_full_snapshot_threshold});
  auto decision = decide(full->get(), delta->get(), thresholds, run.last_compaction());
  if (!decision) return failed(fmt::format("Etcd {}: {}", run.key(), decision.error()));
  if (decision->action == Action::kWait) return done();
  if (metrics_ != nullptr) {
    metrics_->set_num_delta_events(run.ns(), static_cast<double>(decision->accumulated_revisions));
  }
  switch (decision->action) {
    case Action::kFullSnapshot:
      spdlog::info("Etcd {}: taking a full snapshot instead of compacting {} revisions: {}",
                   run.key(), decision->accumulated_revisions, decision->why);
      return take_full_snapshot(run);
    case Action::kCompact:
      return create_job(run);
    default:
      return done();
  }
}

kube::ReconcileOutcome CompactionReconciler::delete_job_if_present(const Run& run) {
  auto job = reader_.get(kube::resources::kJobs, run.ns(), run.job_name());
  if (!job) {
    return failed(fmt::format("cannot read compaction Job {}/{}: {}", run.ns(), run.job_name(),
                              job.error().what()));
  }
  if (!*job || util::metadata_of(**job).contains("deletionTimestamp")) return done();
  kube::DeleteOptions options;
  options.propagation_policy = "Foreground";
  options.precondition_uid = util::string_field(util::metadata_of(**job), "uid");
  auto deleted = writer_.remove(kube::resources::kJobs, run.ns(), run.job_name(), options);
  if (!deleted && !kube::is_not_found(deleted.error())) {
    return failed(fmt::format("cannot delete compaction Job {}/{}: {}", run.ns(), run.job_name(),
                              deleted.error().what()));
  }
  spdlog::info("Etcd {} is being deleted or has no backup store: compaction Job {} deleted",
               run.key(), run.job_name());
  return done();
}

kube::ReconcileOutcome CompactionReconciler::finish_job(Run& run, const json& job) {
  if (metrics_ != nullptr) metrics_->set_jobs_current(run.ns(), 0);
  const std::string job_uid = util::string_field(util::metadata_of(job), "uid");
  // The job's pod explains a failure; the one it controls, if several carry the label.
  auto pods = reader_.list(kube::resources::kPods, run.ns(), {{kJobNameLabel, run.job_name()}});
  if (!pods) {
    return failed(fmt::format("cannot list the pods of compaction Job {}/{}: {}", run.ns(),
                              run.job_name(), pods.error().what()));
  }
  const json* pod = nullptr;
  for (const auto& candidate : *pods) {
    if (pod == nullptr || util::is_controlled_by(*candidate, job_uid)) pod = candidate.get();
  }
  const auto outcome = classify_job(job, pod, run.now);
  if (!outcome) return done();  // is_finished said otherwise; cannot happen

  const std::string reason = outcome->reason;
  if (auto written = write_condition(
          run, outcome->succeeded ? api::kConditionTrue : api::kConditionFalse, reason,
          message::job_completed(run.ns(), run.job_name(), reason, outcome->succeeded));
      !written) {
    return failed(written.error());
  }
  spdlog::info("Compaction Job {}/{} completed with state {}", run.ns(), run.job_name(), reason);

  kube::DeleteOptions options;
  options.propagation_policy = "Foreground";
  options.precondition_uid = job_uid;
  auto deleted = writer_.remove(kube::resources::kJobs, run.ns(), run.job_name(), options);
  if (!deleted && !kube::is_not_found(deleted.error())) {
    return failed(fmt::format("cannot delete the completed compaction Job {}/{}: {}", run.ns(),
                              run.job_name(), deleted.error().what()));
  }
  remember_deleted_job(run.key(), job_uid);
  // Counted once the job is gone, so a retry above does not count it twice.
  if (metrics_ != nullptr) {
    metrics_->job_finished(run.ns(), outcome->succeeded, outcome->failure_label,
                           outcome->duration_seconds);
  }
  return kube::ReconcileResult{
      .requeue = false,
      .requeue_after = std::chrono::duration_cast<kube::Clock::Duration>(config_.requeue_interval)};
}

// The CA that signed the sidecar's serving certificate: Secret
// tlsCASecretRef.name, key as component::backup_ca_pem picks it. Read live: the operator
// caches no Secret payload.
util::Expected<std::string, std::string> CompactionReconciler::backup_ca(const Run& run) {
  const auto& ca = run.etcd.spec.backup.tls->tls_ca_secret_ref;
  auto secret = writer_.get_live(kube::resources::kSecrets, run.ns(), ca.name);
  if (!secret) {
    return util::unexpected(fmt::format("failed to get etcdbr CA secret {}/{}: {}", run.ns(),
                                        ca.name, secret.error().what()));
  }
  auto pem = component::backup_ca_pem(*secret, run.etcd);
  if (!pem) {
    return util::unexpected(fmt::format("CA cert data key {} not found in secret {}/{}",
                                        pem.error(), run.ns(), ca.name));
  }
  return std::move(*pem);
}

kube::ReconcileOutcome CompactionReconciler::take_full_snapshot(Run& run) {
  const std::string& name = run.etcd.metadata.name;
  etcdopstask::SnapshotCall call;
  call.method = "GET";
  const bool tls = run.etcd.spec.backup.tls.has_value();
  call.url = fmt::format("{}://{}.{}.svc.cluster.local:{}/snapshot/full", tls ? "https" : "http",
                         api::client_service_name(run.etcd), run.ns(),
                         api::effective::backup_port(run.etcd));
  const auto timeout = api::effective::etcd_snapshot_timeout(run.etcd);
  call.timeout = timeout ? std::chrono::duration_cast<std::chrono::seconds>(timeout->value.value)
                         : kDefaultFullSnapshotTimeout;
  if (call.timeout <= std::chrono::seconds::zero()) call.timeout = kDefaultFullSnapshotTimeout;

  std::optional<std::string> error;
  if (tls) {
    auto ca = backup_ca(run);
    if (ca) {
      call.ca_pem = std::move(*ca);
    } else {
      error = ca.error();
    }
  }
  if (!error) {
    auto answer = sidecar_.take_snapshot(call);
    if (!answer) {
      error = fmt::format("failed to trigger full snapshot: {}", answer.error().message);
    } else if (answer->status != 200) {
      error = fmt::format("failed to take full snapshot, received status code: {}", answer->status);
    }
  }
  if (metrics_ != nullptr) metrics_->full_snapshot_triggered(run.ns(), !error.has_value());

  if (error) {
    const std::string text = message::full_snapshot_failed(run.ns(), name, *error);
    // Said where a person looks first; the condition makes the next cycle try again.
    if (events_ != nullptr) {
      events_->warning(run.object, condition_reason::kErrorTriggeringFullSnapshot, text);
    }
    auto written = write_condition(run, api::kConditionFalse,
                                   condition_reason::kErrorTriggeringFullSnapshot, text);
    return failed(
        fmt::format("Etcd {}: {}{}", run.key(), *error, written ? "" : "; and " + written.error()));
  }
  spdlog::info("Etcd {}: full snapshot taken by {}", run.key(), call.url);
  if (auto written = write_condition(run, api::kConditionTrue,
                                     condition_reason::kFullSnapshotTakenSuccessfully,
                                     message::full_snapshot_taken(run.ns(), name));
      !written) {
    return failed(written.error());
  }
  return done();
}

// A Local store's buckets are under the store Secret's `hostPath` when it has
// one, else under the default directory.
util::Expected<std::string, std::string> CompactionReconciler::local_host_path(const Run& run) {
  const auto& store = *run.etcd.spec.backup.store;
  if (!store.secret_ref) return std::string();
  auto secret = writer_.get_live(kube::resources::kSecrets, run.ns(), store.secret_ref->name);
  if (!secret) {
    return util::unexpected(fmt::format("cannot read backup store Secret {}/{}: {}", run.ns(),
                                        store.secret_ref->name, secret.error().what()));
  }
  auto path = component::local_host_path_of_secret(*secret);
  if (!path) {
    return util::unexpected(fmt::format("backup store Secret {}/{}: {}", run.ns(),
                                        store.secret_ref->name, path.error()));
  }
  return path->value_or("");
}

kube::ReconcileOutcome CompactionReconciler::create_job(Run& run) {
  CompactionJobSettings settings;
  settings.active_deadline = config_.active_deadline;
  settings.metrics_scrape_wait = config_.metrics_scrape_wait;
  settings.upgrade_etcd_version = config_.upgrade_etcd_version;
  auto provider = component::backup_store_provider(run.etcd);
  if (provider && *provider == api::storage_provider::kLocal) {
    auto path = local_host_path(run);
    if (!path) {
      if (events_ != nullptr)
        events_->warning(run.object, error_code::kLocalStoreSecret, path.error());
      return failed(fmt::format("Etcd {}: {}", run.key(), path.error()));
    }
    settings.local_host_path = std::move(*path);
  }
  auto job = build_compaction_job(run.etcd, images_, settings);
  if (!job) {
    // Only a change of the Etcd helps, and its next snapshot lease change
    // brings the Etcd back here: no retry until then.
    const std::string text =
        fmt::format("cannot create the compaction Job: {}", job.error().message);
    spdlog::error("Etcd {}: {}", run.key(), text);
    if (events_ != nullptr) events_->warning(run.object, job.error().code, text);
    return done();
  }
  auto created = writer_.create(kube::resources::kJobs, run.ns(), *job);
  if (!created) {
    if (!kube::is_already_exists(created.error())) {
      return failed(fmt::format("cannot create compaction Job {}/{}: {}", run.ns(), run.job_name(),
                                created.error().what()));
    }
    // Created by an earlier run whose answer, or whose cache event, was lost:
    // that Job is the one to follow.
    spdlog::info("Compaction Job {}/{} already exists: following it", run.ns(), run.job_name());
  } else {
    spdlog::info("Compaction Job {}/{} created", run.ns(), run.job_name());
  }
  if (metrics_ != nullptr) metrics_->set_jobs_current(run.ns(), 1);
  return done();
}

bool CompactionReconciler::condition_not_cached_yet(const Run& run) {
  const std::lock_guard lock(mutex_);
  const auto it = written_conditions_.find(run.key());
  if (it == written_conditions_.end()) return false;
  const api::Condition* cached = run.last_compaction();
  const api::Condition& written = it->second.condition;
  const bool shown = cached != nullptr && cached->status == written.status &&
                     cached->reason == written.reason && cached->message == written.message;
  if (shown || run.now - it->second.at > kConditionCacheWait) {
    written_conditions_.erase(it);
    return false;
  }
  return true;
}

std::string CompactionReconciler::deleted_job(const std::string& etcd_key) const {
  const std::lock_guard lock(mutex_);
  const auto it = deleted_jobs_.find(etcd_key);
  return it == deleted_jobs_.end() ? std::string() : it->second;
}

void CompactionReconciler::remember_deleted_job(const std::string& etcd_key, std::string uid) {
  const std::lock_guard lock(mutex_);
  if (uid.empty()) {
    deleted_jobs_.erase(etcd_key);
  } else {
    deleted_jobs_[etcd_key] = std::move(uid);
  }
}

util::Expected<std::monostate, std::string> CompactionReconciler::write_condition(
    Run& run, const std::string& status, const std::string& reason, const std::string& text) {
  std::vector<api::Condition> conditions =
      run.etcd.status ? run.etcd.status->conditions : std::vector<api::Condition>{};
  const std::string now = util::format_rfc3339(run.now);
  api::Condition* existing = nullptr;
  for (auto& condition : conditions) {
    if (condition.type == api::condition::kLastSnapshotCompactionSucceeded) existing = &condition;
  }
  if (existing != nullptr && existing->status == status && existing->reason == reason &&
      existing->message == text) {
    return std::monostate{};
  }
  if (existing == nullptr) {
    conditions.push_back({});
    existing = &conditions.back();
    existing->type = api::condition::kLastSnapshotCompactionSucceeded;
  }
  // The transition is a change of status or reason, as upstream.
  if (existing->status != status || existing->reason != reason ||
      existing->last_transition_time.empty()) {
    existing->last_transition_time = now;
  }
  existing->status = status;
  existing->reason = reason;
  existing->message = text;
  existing->last_update_time = now;

  json encoded = json::array();
  for (const auto& condition : conditions) encoded.push_back(api::encode(condition));
  // The resourceVersion makes the list replacement safe: a condition another
  // writer added meanwhile is never dropped.
  const json patch = {{"metadata", {{"resourceVersion", run.etcd.metadata.resource_version}}},
                      {"status", {{"conditions", std::move(encoded)}}}};
  auto patched = writer_.patch(api::resources::kEtcds, run.ns(), run.request.name,
                               kube::PatchType::kMerge, patch, "status");
  if (!patched) {
    return util::unexpected(fmt::format("cannot set condition {} of Etcd {}: {}",
                                        api::condition::kLastSnapshotCompactionSucceeded, run.key(),
                                        patched.error().what()));
  }
  run.object = std::move(*patched);
  {
    const std::lock_guard lock(mutex_);
    written_conditions_[run.key()] = {*existing, run.now};
  }
  if (!run.etcd.status) run.etcd.status = api::EtcdStatus{};
  run.etcd.status->conditions = std::move(conditions);
  run.etcd.metadata.resource_version =
      util::string_field(util::metadata_of(run.object), "resourceVersion");
  return std::monostate{};
}

}  // namespace druid::controller::compaction
