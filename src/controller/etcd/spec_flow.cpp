// The spec flow (upstream's internal/controller/etcd/reconcile_spec.go): record the start,
// ensure the finalizer, pre-sync, sync every component in order, clean up runtime components
// when their creation is disabled, record success; then completion (upstream's
// internal/controller/etcd/reconcile_complete.go).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/annotations.hpp"
#include "api/duration.hpp"
#include "api/names.hpp"
#include "component/error_codes.hpp"
#include "controller/etcd/concurrent_delete.hpp"
#include "controller/etcd/reconciler.hpp"
#include "controller/etcd/run.hpp"
#include "controller/etcd/spec_validation.hpp"
#include "controller/finalizers.hpp"
#include "kube/resource.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

// As Go prints a time.Duration ("10s").
std::string retry_after_text(std::chrono::milliseconds delay) {
  return api::format_duration(delay);
}

}  // namespace

// A periodic re-sync with auto-reconcile of a generation already reconciled
// successfully: it records lastOperation only if it changes something or
// fails (upstream rewrites lastOperation every period; docs/compatibility.md).
bool EtcdReconciler::is_quiet_resync(const Run& run) const {
  const auto& etcd = run.etcd;
  return config_.enable_etcd_spec_auto_reconcile &&
         !api::has_reconcile_operation_annotation(etcd.metadata) && etcd.status &&
         etcd.status->observed_generation == etcd.metadata.generation &&
         last_reconcile_succeeded(etcd);
}

StepResult EtcdReconciler::validate_spec(Run& run) {
  const auto& etcd = run.etcd;
  auto statefulset =
      reader_.get(kube::resources::kStatefulSets, run.ns(), api::statefulset_name(etcd));
  if (!statefulset) {
    return StepResult::failed(
        fmt::format("reading StatefulSet of Etcd {}: {}", run.key, statefulset.error().what()));
  }
  auto configmap = reader_.get(kube::resources::kConfigMaps, run.ns(), api::configmap_name(etcd));
  if (!configmap) {
    return StepResult::failed(
        fmt::format("reading ConfigMap of Etcd {}: {}", run.key, configmap.error().what()));
  }
  const auto deployed = deployed_spec(statefulset->get(), configmap->get(), etcd.metadata.uid);
  const api::FieldErrors invalid = check_spec(run.object, etcd, deployed);
  if (invalid.empty()) return StepResult::proceed();

  StepResult result;
  result.kind = StepResult::Kind::kInvalidSpec;
  result.description =
      fmt::format("Etcd {} has an invalid spec, which is not applied until it is corrected: {}",
                  run.key, api::to_string(invalid));
  for (const auto& error : invalid) {
    result.errors.push_back(component::druid_error(run.ctx.now, component::error_code::kInvalidSpec,
                                                   component::Operation::kValidateSpec,
                                                   error.message()));
  }
  // Said once per finding: a status check that finds the same again writes nothing.
  if (!records_invalid_spec(etcd, result)) {
    record(run, record_invalid_spec_patch(run.record, result));
    if (events_ != nullptr) events_->warning(run.object, kInvalidSpecReason, result.description);
    spdlog::warn("{}", result.description);
  }
  return result;
}

StepResult EtcdReconciler::reconcile_spec(Run& run) {
  if (StepResult validated = validate_spec(run); validated.stops()) return validated;
  const bool quiet = is_quiet_resync(run);
  if (!quiet) {
    if (auto patched = patch_status(run, record_start_patch(run.record)); !patched) {
      return StepResult::failed(patched.error());
    }
  }
  for (auto step :
       {&EtcdReconciler::ensure_finalizer, &EtcdReconciler::pre_sync,
        &EtcdReconciler::sync_components, &EtcdReconciler::clean_up_runtime_components}) {
    StepResult result = (this->*step)(run);
    if (result.stops()) {
      // The controller logs the failure (one line per reconcile outcome).
      record(run, record_incomplete_patch(run.record, result));
      return result;
    }
  }
  if (!quiet || run.ctx.writes > 0) {
    // Written by the status flow, with the status, in one patch (the minimum
    // of writes; atomic, so no reader sees Succeeded without its generation).
    run.completed_spec_status = record_success_patch(run.record)["status"];
    const auto& status = run.etcd.status;
    if (!status || status->observed_generation != run.etcd.metadata.generation) {
      run.completed_spec_status["observedGeneration"] = run.etcd.metadata.generation;
    }
  }
  return StepResult::proceed();
}

void EtcdReconciler::report_spec_applied(const Run& run) {
  if (events_ == nullptr || run.completed_spec_status.is_null()) return;
  if (auto event = spec_event(run.etcd, run.ctx.created, run.ctx.updated)) emit(run, *event);
}

void EtcdReconciler::emit(const Run& run, const LifecycleEvent& event) {
  if (events_ != nullptr) events_->event(run.object, event.type, event.reason, event.message);
}

StepResult EtcdReconciler::ensure_finalizer(Run& run) {
  auto& finalizers = run.etcd.metadata.finalizers;
  if (std::find(finalizers.begin(), finalizers.end(), api::kEtcdDruidFinalizer) !=
      finalizers.end()) {
    return StepResult::proceed();
  }
  const json patch = finalizer_patch(run.etcd.metadata, api::kEtcdDruidFinalizer, true);
  ++run.ctx.writes;
  if (auto patched =
          patch_etcd(run, patch, fmt::format("adding finalizer {}", api::kEtcdDruidFinalizer));
      !patched) {
    return StepResult::failed(patched.error());
  }
  finalizers.push_back(api::kEtcdDruidFinalizer);
  return StepResult::proceed();
}

StepResult EtcdReconciler::pre_sync(Run& run) {
  component::Component* statefulset = registry_.by_kind("StatefulSet");
  if (statefulset == nullptr) return StepResult::proceed();
  auto outcome = statefulset->pre_sync(run.ctx);
  if (outcome) {
    if (run.ctx.presync_snapshot_failed && events_ != nullptr) {
      events_->warning(run.object, "PreSyncSnapshotFailed",
                       fmt::format("pre-sync full snapshot for {}/{} failed after max attempts; "
                                   "proceeding with StatefulSet update without a fresh snapshot",
                                   run.ns(), run.name()));
    }
    return StepResult::proceed();
  }
  if (outcome.error().is_requeue_after()) {
    spdlog::info("Etcd {}: retrying pre-sync of StatefulSet after {}: {}", run.key,
                 retry_after_text(config_.sync_retry_interval), outcome.error().message);
    return StepResult::retry_after(config_.sync_retry_interval,
                                   fmt::format("requeueing pre-sync of component StatefulSet to be "
                                               "retried after {}",
                                               retry_after_text(config_.sync_retry_interval)));
  }
  return StepResult::failed({outcome.error()});
}

StepResult EtcdReconciler::sync_components(Run& run) {
  for (component::Component* component : registry_.for_sync(run.etcd)) {
    auto outcome = component->sync(run.ctx);
    if (outcome) continue;
    if (outcome.error().is_requeue_after()) {
      spdlog::info("Etcd {}: retrying sync of {} after {}: {}", run.key, component->kind(),
                   retry_after_text(config_.sync_retry_interval), outcome.error().message);
      return StepResult::retry_after(
          config_.sync_retry_interval,
          fmt::format("retrying sync of component {} after {}", component->kind(),
                      retry_after_text(config_.sync_retry_interval)));
    }
    return StepResult::failed({outcome.error()});
  }
  return StepResult::proceed();
}

// With runtime-component creation disabled, the eight runtime components are
// deleted concurrently; only those that still have objects are asked, so a
// re-sync of an already clean Etcd sends nothing.
StepResult EtcdReconciler::clean_up_runtime_components(Run& run) {
  if (!api::is_runtime_component_creation_disabled(run.etcd.metadata)) {
    return StepResult::proceed();
  }
  std::vector<component::Component*> present;
  std::vector<component::DruidError> errors;
  for (component::Component* component : registry_.runtime_components()) {
    auto names = component->existing_names(run.ctx);
    if (!names) {
      errors.push_back(names.error());
    } else if (!names->empty()) {
      present.push_back(component);
    }
  }
  run.ctx.writes += static_cast<int>(present.size());
  for (auto& error : delete_concurrently(present, run.ctx)) errors.push_back(std::move(error));
  if (!errors.empty()) return StepResult::failed(std::move(errors));
  return StepResult::proceed();
}

// After the status flow wrote what the spec reconcile completed (lastOperation
// Succeeded and observedGeneration, with the status): removal of both
// operation annotations (upstream's reconcile_complete.go), only when one is set.
StepResult EtcdReconciler::complete_spec(Run& run) {
  const auto& etcd = run.etcd;
  if (!run.completed_spec_status.is_null()) {
    spdlog::info("Etcd {}: spec of generation {} reconciled ({} writes)", run.key,
                 etcd.metadata.generation, run.ctx.writes);
  }
  if (!api::has_reconcile_operation_annotation(etcd.metadata)) return StepResult::proceed();
  const json patch = {{"metadata",
                       {{"annotations",
                         {{api::kDruidOperationAnnotation, nullptr},
                          {api::kGardenerOperationAnnotation, nullptr}}}}}};
  if (auto patched = patch_etcd(run, patch, "removing the operation annotations"); !patched) {
    return StepResult::failed(patched.error());
  }
  return StepResult::proceed();
}

}  // namespace druid::controller::etcd
