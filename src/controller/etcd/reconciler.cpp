#include "controller/etcd/reconciler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/annotations.hpp"
#include "api/resources.hpp"
#include "controller/etcd/run.hpp"
#include "controller/run_id.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

std::string requeue_description(const StepResult& result) {
  return result.description;
}

}  // namespace

EtcdReconciler::EtcdReconciler(ReconcilerDependencies dependencies, EtcdControllerConfig config)
    : writer_(dependencies.writer),
      reader_(dependencies.reader),
      live_reader_(dependencies.live_reader),
      registry_(dependencies.registry),
      image_vector_(dependencies.image_vector),
      events_(dependencies.events),
      clock_(dependencies.clock != nullptr ? *dependencies.clock : kube::system_clock()),
      config_(std::move(config)),
      metrics_(dependencies.metrics) {}

kube::ReconcileOutcome EtcdReconciler::reconcile(const kube::Request& request) {
  auto read = reader_.get(api::resources::kEtcds, request.namespace_, request.name);
  if (!read) {
    return util::unexpected(kube::ReconcileError{
        fmt::format("reading Etcd {}: {}", request.key(), read.error().what())});
  }
  if (!*read) {  // gone (a deletion's last reconcile): forget what was kept about it
    forget(request);
    return kube::ReconcileResult{};
  }
  const auto started = clock_.now();
  kube::ReconcileOutcome outcome = reconcile_etcd(request, **read);
  if (metrics_ != nullptr) {
    metrics_->reconciled({request.namespace_, request.name}, clock_.now() - started,
                         outcome.has_value(), clock_.wall_now());
  }
  return outcome;
}

void EtcdReconciler::forget(const kube::Request& request) {
  {
    std::lock_guard lock(warned_operations_mutex_);
    warned_operations_.erase(request.key());
  }
  {
    std::lock_guard lock(rollouts_mutex_);
    rollouts_.erase(request.key());
  }
  if (metrics_ != nullptr) metrics_->forget({request.namespace_, request.name});
}

kube::ReconcileOutcome EtcdReconciler::reconcile_etcd(const kube::Request& request,
                                                      const json& object) {
  auto decoded = api::decode_etcd(object);
  if (!decoded) {
    return util::unexpected(kube::ReconcileError{fmt::format(
        "Etcd {} cannot be decoded: {}", request.key(), decoded.error().front().message())});
  }
  const auto now = std::chrono::system_clock::time_point(clock_.wall_now());
  Run run{object,
          std::move(*decoded),
          component::Context{writer_, reader_, config_.settings, image_vector_, run.etcd},
          OperationRecord{OperationType::kReconcile, controller::new_run_id(), now},
          request.key(),
          nullptr};
  run.ctx.now = now;
  run.ctx.run_id = run.record.run_id;

  if (run.etcd.metadata.is_being_deleted()) return reconcile_deletion(run);

  warn_unknown_operation(run);
  const bool spec_due = should_reconcile_spec(run);
  const StepResult spec = spec_due ? reconcile_spec(run) : StepResult::proceed();
  if (const StepResult status = reconcile_status(run); status.stops()) {
    return util::unexpected(kube::ReconcileError{status.description});
  }
  if (spec_due && spec.kind == StepResult::Kind::kContinue) report_spec_applied(run);
  // A spec reconcile recreates what is missing; without one, say what is.
  if (!spec_due) {
    if (const StepResult report = report_missing_objects(run); report.stops()) {
      return util::unexpected(kube::ReconcileError{report.description});
    }
  }
  return finish(run, spec, spec_due);
}

bool EtcdReconciler::should_reconcile_spec(const Run& run) {
  const auto& meta = run.etcd.metadata;
  if (api::is_spec_reconcile_suspended(meta)) {
    if (events_ != nullptr) {
      events_->warning(run.object, kSpecReconciliationSkippedReason,
                       fmt::format("spec reconciliation of {}/{} is skipped by etcd-druid due to "
                                   "the presence of annotation {} on the etcd resource",
                                   run.ns(), run.name(), api::kSuspendEtcdSpecReconcileAnnotation));
    }
    return false;
  }
  if (config_.enable_etcd_spec_auto_reconcile) return true;
  if (api::has_reconcile_operation_annotation(meta)) return true;
  return !run.etcd.status || !run.etcd.status->observed_generation;
}

kube::ReconcileOutcome EtcdReconciler::finish(Run& run, const StepResult& spec, bool spec_ran) {
  switch (spec.kind) {
    case StepResult::Kind::kError:
      return util::unexpected(kube::ReconcileError{spec.description});
    case StepResult::Kind::kRequeueAfter:
      return kube::ReconcileResult{false, spec.requeue_after};
    case StepResult::Kind::kInvalidSpec:  // recorded; retrying cannot help until it changes
      return kube::ReconcileResult{false, config_.status_sync_period};
    case StepResult::Kind::kContinue:
      break;
  }
  if (spec_ran) {
    if (const StepResult completed = complete_spec(run); completed.stops()) {
      record(run, record_incomplete_patch(run.record, completed));
      return util::unexpected(kube::ReconcileError{requeue_description(completed)});
    }
  }
  return kube::ReconcileResult{false, config_.status_sync_period};
}

util::Expected<void, std::string> EtcdReconciler::patch_status(Run& run, const json& patch) {
  auto patched = writer_.patch(api::resources::kEtcds, run.ns(), run.name(),
                               kube::PatchType::kMerge, patch, "status");
  if (!patched) {
    return util::unexpected(
        fmt::format("patching status of Etcd {}: {}", run.key, patched.error().what()));
  }
  run.etcd.metadata.resource_version = util::metadata_of(*patched).value("resourceVersion", "");
  return {};
}

util::Expected<void, std::string> EtcdReconciler::patch_etcd(Run& run, const json& patch,
                                                             std::string_view what) {
  auto patched = writer_.patch(api::resources::kEtcds, run.ns(), run.name(),
                               kube::PatchType::kMerge, patch, {});
  if (!patched) {
    return util::unexpected(
        fmt::format("{} of Etcd {}: {}", what, run.key, patched.error().what()));
  }
  run.etcd.metadata.resource_version = util::metadata_of(*patched).value("resourceVersion", "");
  return {};
}

void EtcdReconciler::record(Run& run, const json& patch) {
  if (auto patched = patch_status(run, patch); !patched) spdlog::error("{}", patched.error());
}

}  // namespace druid::controller::etcd
